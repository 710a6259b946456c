namespace GitTorrent.Cli.Commands;

/// <summary><c>gittorrent dht get|node</c>: hands the parsed common options to the DHT command classes.</summary>
public sealed class DhtCommand : ICliCommand
{
    public string Name => "dht";

    public string Summary => "DHT tools: get a BEP 44 item, run a bare node";

    public string Usage =>
        "gittorrent dht get <40-hex target> [--salt S] [--json] [--timeout SECONDS]   print the value and its seq; exit 1 if not found\n"
        + "gittorrent dht node                  run a bare DHT node; prints 'listening <ip>:<port> <node id>'";

    public Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var options = context.Options;
        List<string> common = ["--home", options.Home, "--bind", options.Bind.ToString()];
        if (options.Bootstrap is not null)
        {
            common.AddRange(["--bootstrap", string.Join(',', options.Bootstrap)]);
        }
        if (options.DhtPort != CliOptions.DefaultDhtPort)
        {
            common.AddRange(["--dht-port", options.DhtPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        static string? NoEnvironment(string name) => null; // already folded into context.Options
        return args.ToArray() switch
        {
            ["node", .. var rest] => DhtNodeCommand.RunAsync([.. rest, .. common], context.Out, context.Error, NoEnvironment, options.Dht, cancellationToken),
            ["get", .. var rest] => DhtGetCommand.RunAsync([.. rest, .. common], context.Out, context.Error, NoEnvironment, cancellationToken),
            _ => Fail(context),
        };
    }

    private static async Task<int> Fail(CliContext context)
    {
        await context.Error.WriteLineAsync("gittorrent dht: expected 'get <target>' or 'node'; see 'gittorrent dht --help'");
        return ExitCodes.NotImplemented;
    }
}
