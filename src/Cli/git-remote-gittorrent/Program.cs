using GitTorrent.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

// stdout carries the remote-helper protocol: unbuffered text with bare '\n' line ends.
var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true, NewLine = "\n" };
return await RemoteHelper.RunAsync(args, Console.In, stdout, Console.Error, CliOptionsParser.ProcessEnvironment(), cancellation.Token);
