namespace GitTorrent.Web.Commands;

/// <summary>A command named in INTERFACES.md whose issue has not landed yet: says so and exits 2.</summary>
public sealed class NotImplementedPortalCommand(string name, string usage) : IPortalCommand
{
    public string Name => name;

    public string Usage => usage;

    public async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync($"{name}: not implemented yet");
        return 2;
    }
}
