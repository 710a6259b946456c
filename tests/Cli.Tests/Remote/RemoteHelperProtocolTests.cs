using GitTorrent.Cli.Remote;

namespace GitTorrent.Cli.Tests.Remote;

public sealed class RemoteHelperProtocolTests
{
    private const string A = "5fbfea8de70ddc686dafdd24b690893f98eb9475";
    private const string B = "0123456789abcdef0123456789abcdef01234567";

    private sealed class RecordingBackend : IRemoteHelperBackend
    {
        public List<bool> Lists { get; } = [];
        public List<FetchRequest> Fetched { get; } = [];
        public List<PushRequest> Pushed { get; } = [];
        public Dictionary<string, string> Options { get; } = [];

        public Task<RemoteRefs> ListAsync(bool forPush, CancellationToken cancellationToken)
        {
            Lists.Add(forPush);
            return Task.FromResult(new RemoteRefs(
                new Dictionary<string, string> { ["HEAD"] = A, ["refs/heads/main"] = A, ["refs/tags/v1"] = B }, "refs/heads/main"));
        }

        public Task<IReadOnlyList<string>> FetchAsync(IReadOnlyList<FetchRequest> wants, CancellationToken cancellationToken)
        {
            Fetched.AddRange(wants);
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        public Task<IReadOnlyList<PushResult>> PushAsync(IReadOnlyList<PushRequest> refspecs, CancellationToken cancellationToken)
        {
            Pushed.AddRange(refspecs);
            return Task.FromResult<IReadOnlyList<PushResult>>(
                [.. refspecs.Select(r => new PushResult(r.Destination, r.Destination.EndsWith("bad", StringComparison.Ordinal) ? "not yours" : null))]);
        }

        public bool SetOption(string name, string value)
        {
            if (name is not ("progress" or "verbosity"))
            {
                return false;
            }
            Options[name] = value;
            return true;
        }
    }

    private static async Task<(string Output, RecordingBackend Backend)> RunAsync(string script)
    {
        var backend = new RecordingBackend();
        var output = new StringWriter { NewLine = "\n" };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var exit = await new RemoteHelperProtocol(new StringReader(script), output, backend).RunAsync(cts.Token);
        Assert.Equal(0, exit);
        return (output.ToString(), backend);
    }

    [Fact]
    public async Task Capabilities_list_and_options()
    {
        var (output, backend) = await RunAsync("capabilities\noption progress false\noption depth 1\nlist\n\n");
        Assert.Equal("option\nfetch\npush\ncheck-connectivity\n\nok\nunsupported\n" + $"{A} refs/heads/main\n{B} refs/tags/v1\n@refs/heads/main HEAD\n\n", output);
        Assert.Equal("false", backend.Options["progress"]);
        Assert.Equal([false], backend.Lists);
    }

    [Fact]
    public async Task Fetch_batch_is_passed_whole_and_answered_with_a_blank_line()
    {
        var (output, backend) = await RunAsync($"list\nfetch {A} refs/heads/main\nfetch {B} refs/tags/v1\n\n");
        Assert.EndsWith("\n\n\n", output);
        Assert.Equal([new FetchRequest(A, "refs/heads/main"), new FetchRequest(B, "refs/tags/v1")], backend.Fetched);
    }

    [Fact]
    public async Task Push_batch_reports_ok_and_error_per_ref()
    {
        var (output, backend) = await RunAsync("list for-push\npush +refs/heads/main:refs/heads/main\npush refs/heads/x:refs/heads/bad\n\n");
        Assert.Equal([true], backend.Lists);
        Assert.True(backend.Pushed[0].Force);
        Assert.False(backend.Pushed[1].Force);
        Assert.EndsWith("ok refs/heads/main\nerror refs/heads/bad not yours\n\n", output);
    }

    [Fact]
    public async Task Unknown_commands_fail_with_a_clear_message()
    {
        var ex = await Assert.ThrowsAsync<RemoteHelperException>(() => RunAsync("connect git-upload-pack\n"));
        Assert.Contains("connect", ex.Message);
        await Assert.ThrowsAsync<RemoteHelperException>(() => RunAsync("push nocolon\n\n"));
        await Assert.ThrowsAsync<RemoteHelperException>(() => RunAsync($"fetch {A} refs/heads/main\npush a:b\n\n"));
    }

    [Fact]
    public async Task End_of_input_ends_the_session_cleanly()
    {
        var (output, _) = await RunAsync("capabilities\n");
        Assert.Equal("option\nfetch\npush\ncheck-connectivity\n\n", output);
    }
}
