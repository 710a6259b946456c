using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Git;

/// <summary>
/// The browsing views that the real git computes best: history of a path (<c>git log --follow</c>), blame
/// (<c>git blame --porcelain</c>), code search (<c>git grep</c>) and the file finder (<c>git ls-tree -r</c>). Each runs through <see cref="GitWorkGate"/>
/// (bounded concurrency in total and per client address, a timeout, one run per key), reads a bounded amount of
/// output and is cached by commit id (unless its timeout stopped it: <see cref="BrowseCache.SetFinished"/>).
/// </summary>
public sealed class GitQueries(GitBrowser browser, BrowseCache cache, GitWorkGate gate, BrowseStatistics statistics, IOptions<BrowseOptions> options)
{
    private const char Separator = '\u001f';
    private const int MaxLineChars = 4096;

    /// <summary>Code search matches listed at most.</summary>
    public const int MaxMatches = 500;

    /// <summary>How long a code search result is reused (queries are many; results of one commit never change).</summary>
    private static readonly TimeSpan SearchCacheTime = TimeSpan.FromMinutes(10);

    private readonly BrowseOptions limits = options.Value;

    /// <summary>Commits that changed <paramref name="filePath"/> (a file: followed across renames), newest first.</summary>
    public Task<FileHistory> HistoryAsync(string path, string commitId, string filePath, bool isFile, IPAddress? client, CancellationToken cancellationToken)
    {
        var key = ("history", path, commitId, filePath);
        return cache.TryGet(key, out FileHistory? known) ? Task.FromResult(known!) : gate.RunAsync(key, client, async token =>
        {
            string[] follow = isFile ? ["--follow"] : [];
            var output = await ReadAsync(path, ["log", .. follow, "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%s", commitId, "--", filePath], MaxLineChars, '\n', token);
            var commits = output.Lines.Select(ParseSummary).OfType<CommitSummary>().ToList();
            var history = new FileHistory(commits, output.Stop);
            return cache.SetFinished(key, history, output.Stop, BrowseCache.ObjectBytes + commits.Sum(c => 300 + BrowseCache.StringBytes(c.Subject)));
        }, stop => new FileHistory([], stop), cancellationToken);
    }

    /// <summary>The blame of a file grouped by commit, or a refusal (too large by its header, binary, timed out, busy).</summary>
    public Task<BlameView> BlameAsync(string path, string commitId, string filePath, IPAddress? client, CancellationToken cancellationToken)
    {
        var key = ("blame", path, commitId, filePath);
        if (cache.TryGet(key, out BlameView? known))
        {
            return Task.FromResult(known!);
        }

        var blob = browser.ReadBlob(path, commitId, filePath);
        if (blob is null || blob.Size > limits.MaxBlameBytes || blob.Display != BlobDisplay.Text)
        {
            return Task.FromResult(BlameView.Refused(blob?.Display == BlobDisplay.Binary || blob?.Display == BlobDisplay.Image
                ? "This is a binary file: it has no lines to blame."
                : $"This file is too large to blame here (over {GitTorrent.Web.Components.Shared.ByteSize.Format(limits.MaxBlameBytes)})."));
        }

        return gate.RunAsync(key, client, async token =>
        {
            var output = await ReadAsync(path, ["blame", "--porcelain", commitId, "--", filePath], int.MaxValue, '\n', token);
            var view = output.Complete && output.ExitCode == 0 ? ParseBlame(output.Lines)
                : output.Complete ? BlameView.Refused("git could not blame this file.")
                : BlameView.Stopped(output.Stop);
            return cache.SetFinished(key, view, output.Stop, BrowseCache.ObjectBytes + view.Hunks.Sum(h => 300 + h.Lines.Sum(l => BrowseCache.StringBytes(l))));
        }, BlameView.Stopped, cancellationToken);
    }

    /// <summary>Lines containing <paramref name="query"/> (fixed string, case-insensitive) in the files of a commit.</summary>
    public Task<CodeSearchResult> SearchAsync(string path, string commitId, string query, IPAddress? client, CancellationToken cancellationToken)
    {
        var key = ("grep", path, commitId, query);
        return cache.TryGet(key, out CodeSearchResult? known) ? Task.FromResult(known!) : gate.RunAsync(key, client, async token =>
        {
            var output = await ReadAsync(path,
                ["grep", "-I", "-n", "-i", "--full-name", "--fixed-strings", "-z", "--max-count=20", "-e", query, commitId], MaxLineChars, '\n', token);
            var matches = new List<CodeMatch>();
            foreach (var line in output.Lines.Take(MaxMatches))
            {
                // -z: <commit>:<path>\0<line>\0<text>
                var parts = line.Split('\0', 3);
                if (parts.Length == 3 && parts[0].Length > 41 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var number))
                {
                    matches.Add(new CodeMatch(parts[0][41..], number, parts[2]));
                }
            }

            // git grep exits 1 when nothing matched: a complete, empty answer.
            var result = new CodeSearchResult(matches, output.Stop, output.Lines.Count > MaxMatches);
            return cache.SetFinished(key, result, output.Stop,
                BrowseCache.ObjectBytes + matches.Sum(m => 100 + BrowseCache.StringBytes(m.Path) + BrowseCache.StringBytes(m.Text)), SearchCacheTime);
        }, stop => new CodeSearchResult([], stop, false), cancellationToken);
    }

    /// <summary>
    /// The paths of every file at a commit (the file finder; <c>git ls-tree -r</c>), at most
    /// <see cref="BrowseOptions.MaxFinderPaths"/>; cached by commit id.
    /// </summary>
    public Task<FilePathList> FilePathsAsync(string path, string commitId, IPAddress? client, CancellationToken cancellationToken)
    {
        var key = ("paths", path, commitId);
        return cache.TryGet(key, out FilePathList? known) ? Task.FromResult(known!) : gate.RunAsync(key, client, async token =>
        {
            var output = await ReadAsync(path, ["ls-tree", "-r", "-z", "--format=%(objecttype) %(path)", commitId], MaxLineChars, '\0', token);
            var paths = output.Lines.Where(l => l.StartsWith("blob ", StringComparison.Ordinal)).Select(l => l[5..]).Take(limits.MaxFinderPaths).ToList();
            var list = new FilePathList(paths, output.Stop);
            return cache.SetFinished(key, list, output.Stop, BrowseCache.ObjectBytes + paths.Sum(p => 8 + BrowseCache.StringBytes(p)));
        }, stop => new FilePathList([], stop), cancellationToken);
    }

    /// <summary>Runs git for one of these views within the output budget and the run's timeout.</summary>
    private Task<GitOutput> ReadAsync(string path, IReadOnlyList<string> arguments, int maxLineChars, char terminator, CancellationToken token) =>
        GitOutputReader.ReadLinesAsync(path, arguments, limits.MaxGitOutputBytes, maxLineChars, terminator, statistics, token);

    private static CommitSummary? ParseSummary(string line)
    {
        var parts = line.Split(Separator);
        return parts.Length == 5 && parts[0].Length == 40 && DateTimeOffset.TryParse(parts[3], CultureInfo.InvariantCulture, DateTimeStyles.None, out var when)
            ? new CommitSummary(parts[0], parts[4], parts[1], parts[2], when)
            : null;
    }

    /// <summary>Reads <c>git blame --porcelain</c>: a header per line group, commit fields the first time a commit appears.</summary>
    private static BlameView ParseBlame(IReadOnlyList<string> lines)
    {
        var commits = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var hunks = new List<BlameHunk>();
        string? current = null;
        var count = 0;
        List<string>? open = null;
        string? openCommit = null;
        var openStart = 0;
        foreach (var line in lines)
        {
            if (line.StartsWith('\t'))
            {
                count++;
                if (current != openCommit || open is null)
                {
                    Close();
                    open = [];
                    openCommit = current;
                    openStart = count;
                }

                open.Add(line[1..]);
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var word = space < 0 ? line : line[..space];
            if (word.Length == 40 && GitTorrent.Engine.Hash20.IsLowerHex40(word))
            {
                current = word;
                commits.TryAdd(word, new Dictionary<string, string>(StringComparer.Ordinal));
            }
            else if (current is not null && space > 0)
            {
                commits[current][word] = line[(space + 1)..];
            }
        }

        Close();
        return new BlameView(hunks, count, null, GitWorkStop.None);

        void Close()
        {
            if (open is null || openCommit is null)
            {
                return;
            }

            var fields = commits[openCommit];
            var when = long.TryParse(fields.GetValueOrDefault("author-time"), CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : DateTimeOffset.UnixEpoch;
            var summary = new CommitSummary(openCommit, fields.GetValueOrDefault("summary", ""), fields.GetValueOrDefault("author", ""),
                fields.GetValueOrDefault("author-mail", "").Trim('<', '>'), when);
            hunks.Add(new BlameHunk(summary, openStart, open));
        }
    }
}
