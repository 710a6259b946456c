using GitTorrent.TestSupport;
using System.Globalization;

namespace GitTorrent.Interop.Tests.Wire;

/// <summary>transmission-daemon in the foreground with its own config dir, RPC and peer port on 127.0.0.1.</summary>
internal sealed class TransmissionDaemon : IAsyncDisposable
{
    public const string Daemon = "/usr/bin/transmission-daemon";
    public const string Remote = "/usr/bin/transmission-remote";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ProcessRunner _process;

    private TransmissionDaemon(ProcessRunner process, int rpcPort, int peerPort)
    {
        _process = process;
        RpcPort = rpcPort;
        PeerPort = peerPort;
    }

    public int RpcPort { get; }

    public int PeerPort { get; }

    public ProcessRunner Process => _process;

    public static async Task<TransmissionDaemon> StartAsync(string configDir, string downloadDir)
    {
        ProcessRunner.Require(Daemon, "transmission-daemon");
        ProcessRunner.Require(Remote, "transmission-cli");
        Directory.CreateDirectory(configDir);
        await File.WriteAllTextAsync(Path.Combine(configDir, "settings.json"), """
            {
              "dht-enabled": false, "pex-enabled": false, "lpd-enabled": false, "utp-enabled": false,
              "port-forwarding-enabled": false, "rpc-authentication-required": false,
              "rpc-whitelist-enabled": false, "rpc-host-whitelist-enabled": false,
              "bind-address-ipv4": "127.0.0.1", "encryption": 0, "speed-limit-up-enabled": false,
              "ratio-limit-enabled": false, "idle-seeding-limit-enabled": false, "start-added-torrents": true
            }
            """);
        var rpcPort = FreePorts.Tcp();
        var peerPort = FreePorts.Tcp();
        var process = ProcessRunner.Start(Daemon,
        [
            "-f", "-g", configDir, "-p", rpcPort.ToString(CultureInfo.InvariantCulture), "-r", "127.0.0.1",
            "-P", peerPort.ToString(CultureInfo.InvariantCulture), "-w", downloadDir, "-O", "-Y", "-M", "--no-utp", "-et",
            "-T", "--log-error",
        ]);
        var daemon = new TransmissionDaemon(process, rpcPort, peerPort);
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var (exit, _) = await daemon.RemoteAsync("-l");
            if (exit == 0)
            {
                return daemon;
            }
            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                await daemon.DisposeAsync();
                throw new TimeoutException("transmission-daemon did not answer RPC:\n" + process.Describe());
            }
            await Task.Delay(200);
        }
    }

    public async Task<(int ExitCode, string Output)> RemoteAsync(params string[] arguments)
    {
        await using var remote = ProcessRunner.Start(Remote, [$"127.0.0.1:{RpcPort}", .. arguments]);
        await remote.WaitForExitAsync(Timeout);
        var exit = remote.ExitCode;
        await Task.Delay(50);
        return (exit, remote.Describe());
    }

    /// <summary>Percent done of the first torrent, from <c>transmission-remote -t 1 -i</c>.</summary>
    public async Task<double> PercentDoneAsync()
    {
        var (_, output) = await RemoteAsync("-t", "1", "-i");
        var line = output.Split('\n').FirstOrDefault(l => l.Contains("Percent Done:", StringComparison.Ordinal));
        if (line is null)
        {
            return 0;
        }
        var text = line[(line.IndexOf(':') + 1)..].Trim().TrimEnd('%');
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
