using System.Diagnostics;
using System.Globalization;

namespace GitTorrent.Bench.Attack;

/// <summary>
/// One row of the attack bench, the same for the daemon and the portal: an honest clone without the attack (the
/// baseline), the attacker started as a child process of this bench (its arguments given) and, once it prints "ready",
/// the same honest clone; then the attacker is told to stop (stdin closed), prints its own CPU seconds, and the victim is
/// waited on until quiet. The victim is a process and everything it started (<see cref="ProcessTree"/>), its folder the
/// one whose growth is counted.
/// </summary>
internal static class AttackRound
{
    public const string Header = "| attacker | clone without | clone during | ratio | victim peak RSS (process alone) | victim CPU (extra) | attacker CPU | CPU ratio | disk growth (peak) | refs complete |\n"
        + "|---|---|---|---|---|---|---|---|---|---|";

    /// <summary>Runs the round; returns its table row and what the attacker wrote on stderr.</summary>
    /// <param name="beforeAttack">Run after the baseline clone and before the attacker starts (to read counters).</param>
    /// <param name="whenReady">Run when the attacker says it is ready and before the attacked clone (to wait until the
    /// victim works on the attack); what it returns is added to the attacker's log.</param>
    public static async Task<(string Row, string AttackerLog)> RunAsync(string attack, int victim, string folder,
        Func<Task<(double Seconds, bool Complete, string Error)>> clone, IEnumerable<string> attackerArgs, Func<Task> beforeAttack,
        Func<Task<string>>? whenReady = null)
    {
        var cpuBefore = ProcessTree.Measure(victim).Cpu;
        var baseline = await clone();
        var baselineCpu = ProcessTree.Measure(victim).Cpu - cpuBefore;
        var diskBefore = ProcessTree.FolderBytes(folder);
        await beforeAttack();

        using var sampling = new CancellationTokenSource();
        long peak = 0, peakRoot = 0, peakDisk = diskBefore;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var sample = ProcessTree.Measure(victim);
                peak = Math.Max(peak, sample.RssBytes);
                peakRoot = Math.Max(peakRoot, sample.RootRssBytes);
                peakDisk = Math.Max(peakDisk, ProcessTree.FolderBytes(folder));
                await Task.Delay(100);
            }
        });
        var attackCpuBefore = ProcessTree.Measure(victim).Cpu;
        var attackerInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in attackerArgs.Prepend(typeof(AttackRound).Assembly.Location))
        {
            attackerInfo.ArgumentList.Add(a);
        }
        using var attacker = Process.Start(attackerInfo)!;
        var attackerLog = attacker.StandardError.ReadToEndAsync();
        var ready = await attacker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(5));
        if (ready != "ready")
        {
            throw new InvalidOperationException($"attacker {attack} did not start: {ready} {await attackerLog}");
        }
        var victimAtWork = whenReady is null ? "" : await whenReady();
        var during = await clone();
        attacker.StandardInput.Close(); // the holding attackers stop
        var cpuLine = await attacker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(10));
        await attacker.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        // What the attack left running (builds, queued datagrams, git children) is part of its cost: wait until the victim is quiet.
        await ProcessTree.QuietAsync(victim);
        await sampling.CancelAsync();
        await sampler;
        var victimCpu = ProcessTree.Measure(victim).Cpu - attackCpuBefore;
        var extra = victimCpu - baselineCpu;
        var attackerCpu = double.Parse(cpuLine!.Split(' ')[1], CultureInfo.InvariantCulture);
        var growth = ProcessTree.FolderBytes(folder) - diskBefore;
        var row = $"| {attack} | {baseline.Seconds:0.0} s | {(during.Complete ? "" : "FAILED ")}{during.Seconds:0.0} s | "
            + $"{during.Seconds / baseline.Seconds:0.00} | {peak / 1e6:0} MB ({peakRoot / 1e6:0} MB) | {victimCpu.TotalSeconds:0.0} s ({extra.TotalSeconds:0.0} s) | "
            + $"{attackerCpu:0.0} s | {Math.Max(0, extra.TotalSeconds) / Math.Max(attackerCpu, 0.01):0.0} | {growth / 1e6:0.0} MB (+{(peakDisk - diskBefore) / 1e6:0.0} MB) | "
            + $"{(during.Complete && baseline.Complete ? "yes" : "NO " + during.Error + baseline.Error)} |";
        return (row, ((await attackerLog).Trim() + " " + victimAtWork).Trim());
    }
}
