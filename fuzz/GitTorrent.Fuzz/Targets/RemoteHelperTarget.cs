using System.Text;
using GitTorrent.Cli.Remote;
using GitTorrent.Engine;

namespace GitTorrent.Fuzz.Targets;

/// <summary>
/// git's side of the remote-helper protocol (gitremote-helpers(7)) through <see cref="RemoteHelperProtocol"/>, with a
/// backend that has two refs, fetches nothing and accepts every push. Bad input is <see cref="RemoteHelperException"/>
/// (the helper exits with its message). Every answer the helper writes must end with a newline,
/// and each push refspec must get one result line.
/// </summary>
public static class RemoteHelperTarget
{
    public static void Run(byte[] input)
    {
        var backend = new Backend();
        var output = new StringWriter();
        try
        {
            new RemoteHelperProtocol(new StringReader(Encoding.UTF8.GetString(input)), output, backend)
                .RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (RemoteHelperException)
        {
            return;
        }
        var text = output.ToString();
        FuzzInvariantException.Check(text.Length == 0 || text.EndsWith('\n'), "an answer is not ended by a newline");
        FuzzInvariantException.Check(text.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)) == backend.Pushed,
            "a push refspec did not get its result line");
    }

    public static IEnumerable<byte[]> Seeds()
    {
        var sha = Hash20.Sha1("commit"u8);
        yield return Encoding.UTF8.GetBytes($"capabilities\noption verbosity 1\nlist\nfetch {sha} refs/heads/main\nfetch {sha} HEAD\n\n");
        yield return "capabilities\nlist for-push\npush refs/heads/main:refs/heads/main\npush +refs/heads/x:refs/heads/y\n\n\n"u8.ToArray();
    }

    private sealed class Backend : IRemoteHelperBackend
    {
        public int Pushed { get; private set; }

        public Task<RemoteRefs> ListAsync(bool forPush, CancellationToken cancellationToken) =>
            Task.FromResult(new RemoteRefs(new Dictionary<string, string>
            {
                ["HEAD"] = Hash20.Sha1("c"u8).ToString(),
                ["refs/heads/main"] = Hash20.Sha1("c"u8).ToString(),
            }, "refs/heads/main"));

        public Task<IReadOnlyList<string>> FetchAsync(IReadOnlyList<FetchRequest> wants, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([]);

        public Task<IReadOnlyList<PushResult>> PushAsync(IReadOnlyList<PushRequest> refspecs, CancellationToken cancellationToken)
        {
            Pushed += refspecs.Count;
            return Task.FromResult<IReadOnlyList<PushResult>>([.. refspecs.Select(r => new PushResult(r.Destination, null))]);
        }

        public bool SetOption(string name, string value) => name == "verbosity";
    }
}
