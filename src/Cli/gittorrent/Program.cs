using System.Runtime.InteropServices;
using GitTorrent.Cli;
using GitTorrent.Cli.Commands;

// Temporary entry point wiring only the DHT commands; the full dispatcher replaces it.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
return args switch
{
    ["dht", "node", .. var rest] => await DhtNodeCommand.RunAsync(rest, Console.Out, Console.Error, stop.Token),
    ["dht", "get", .. var rest] => await DhtGetCommand.RunAsync(rest, Console.Out, Console.Error, stop.Token),
    _ => ExitCodes.NotImplemented,
};
