using GitTorrent.Cli.Commands;

namespace GitTorrent.Cli.Tests;

public sealed class CliAppTests
{
    /// <summary>The subcommands INTERFACES.md names.</summary>
    private static readonly string[] InterfaceCommandNames = ["keygen", "whoami", "daemon", "publish", "dht", "name", "resolve", "issue"];

    public static TheoryData<string> InterfaceCommands => new(InterfaceCommandNames);

    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public async Task HelpListsEveryCommandAndTheCommonOptions()
    {
        var (code, output, error) = await RunAsync("--help");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith("usage: gittorrent [options] <command> [args]", output, StringComparison.Ordinal);
        foreach (var command in InterfaceCommandNames)
        {
            Assert.Contains($"\n  {command} ", output, StringComparison.Ordinal);
        }

        foreach (var option in new[] { "--home", "--bootstrap", "--dht-port", "--bt-port", "--bind", "--resolver", "GITTORRENT_ORIGIN_SCHEME" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TableHoldsExactlyTheInterfaceCommands()
    {
        Assert.Equal(InterfaceCommandNames.Order(), CommandTable.Default.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(InterfaceCommands))]
    public async Task EachCommandPrintsItsUsageWithHelp(string command)
    {
        var (code, output, error) = await RunAsync(command, "--help");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.StartsWith($"usage: gittorrent {command}", output, StringComparison.Ordinal);
        Assert.Contains("common options", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnimplementedCommandSaysSoOnStderrAndExits2()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var table = CommandTable.Build(new NotImplementedCommand("later", "comes later", "gittorrent later"));
        var code = await new CliApp(table, output, error).RunAsync(["later", "x"], NoEnvironment, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExitCodes.NotImplemented, code);
        Assert.Equal(string.Empty, output.ToString());
        Assert.Equal("gittorrent later: not implemented yet", error.ToString().TrimEnd());
    }

    [Fact]
    public async Task UnknownCommandIsAnErrorNamingIt()
    {
        var (code, output, error) = await RunAsync("frobnicate");

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("unknown command 'frobnicate'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommandPrintsUsageOnStderrAndExits2()
    {
        var (code, output, error) = await RunAsync();

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("usage: gittorrent", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadCommonOptionStopsBeforeTheCommand()
    {
        var (code, _, error) = await RunAsync("--dht-port", "x", "whoami");

        Assert.Equal(2, code);
        Assert.Equal("gittorrent: --dht-port (GITTORRENT_DHT_PORT): 'x' is not a port number 0-65535", error.TrimEnd());
    }

    [Fact]
    public async Task CommandsReceiveParsedOptionsAndTheirOwnArguments()
    {
        var probe = new RecordingCommand();
        var app = new CliApp(CommandTable.Build(probe), TextWriter.Null, TextWriter.Null);

        var code = await app.RunAsync(["--bt-port", "0", "probe", "a", "--flag"], NoEnvironment, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, code);
        Assert.Equal(0, probe.Context!.Options.BtPort);
        Assert.Equal(["a", "--flag"], probe.Args);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var app = new CliApp(CommandTable.Default, output, error);
        var code = await app.RunAsync(args, NoEnvironment, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        return (code, output.ToString(), error.ToString());
    }

    private sealed class RecordingCommand : ICliCommand
    {
        public CliContext? Context { get; private set; }

        public IReadOnlyList<string>? Args { get; private set; }

        public string Name => "probe";

        public string Summary => "records what it gets";

        public string Usage => "gittorrent probe";

        public Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
        {
            Context = context;
            Args = args;
            return Task.FromResult(0);
        }
    }
}
