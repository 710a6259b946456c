using System.Runtime.InteropServices;
using GitTorrent.Cli;
using GitTorrent.Cli.Commands;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

var app = new CliApp(CommandTable.Default, Console.Out, Console.Error);
return await app.RunAsync(args, CliOptionsParser.ProcessEnvironment(), cancellation.Token);
