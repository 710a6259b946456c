using System.Globalization;
using Microsoft.Extensions.Options;

namespace GitTorrent.Web.Git;

/// <summary>
/// The browsing views that the real git computes best: history of a path (<c>git log --follow</c>), blame
/// (<c>git blame --porcelain</c>) and code search (<c>git grep</c>). Each runs through <see cref="GitWorkGate"/>
/// (bounded concurrency, a timeout, one run per key), reads a bounded amount of output and is cached by commit id.
/// </summary>
public sealed class GitQueries(GitBrowser browser, BrowseCache cache, GitWorkGate gate, IOptions<BrowseOptions> options)
{
    private const char Separator = '\u001f';
    private const int MaxLineChars = 4096;

    /// <summary>Code search matches listed at most.</summary>
    public const int MaxMatches = 500;

    private readonly BrowseOptions limits = options.Value;

    /// <summary>Commits that changed <paramref name="filePath"/> (a file: followed across renames), newest first.</summary>
    public Task<FileHistory> HistoryAsync(string path, string commitId, string filePath, bool isFile, CancellationToken cancellationToken)
    {
        var key = ("history", path, commitId, filePath);
        return cache.TryGet(key, out FileHistory? known) ? Task.FromResult(known!) : gate.RunAsync(key, async token =>
        {
            string[] follow = isFile ? ["--follow"] : [];
            var output = await GitOutputReader.ReadLinesAsync(path,
                ["log", .. follow, "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%s", commitId, "--", filePath], limits.MaxGitOutputBytes, MaxLineChars, token);
            var commits = output.Lines.Select(ParseSummary).OfType<CommitSummary>().ToList();
            var history = new FileHistory(commits, output.Complete && output.ExitCode == 0);
            return cache.Set(key, history, BrowseCache.ObjectBytes + commits.Sum(c => 300 + BrowseCache.StringBytes(c.Subject)));
        }, cancellationToken);
    }

    /// <summary>The blame of a file grouped by commit, or a refusal (too large by its header, binary, timed out).</summary>
    public Task<BlameView> BlameAsync(string path, string commitId, string filePath, CancellationToken cancellationToken)
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

        return gate.RunAsync(key, async token =>
        {
            var output = await GitOutputReader.ReadLinesAsync(path,
                ["blame", "--porcelain", commitId, "--", filePath], limits.MaxGitOutputBytes, int.MaxValue, token);
            var view = output.Complete && output.ExitCode == 0
                ? ParseBlame(output.Lines)
                : BlameView.Refused($"Blame took longer than {limits.GitCommandTimeout.TotalSeconds:0} s or printed too much and was stopped.");
            return cache.Set(key, view, BrowseCache.ObjectBytes + view.Hunks.Sum(h => 300 + h.Lines.Sum(l => BrowseCache.StringBytes(l))));
        }, cancellationToken);
    }

    /// <summary>Lines containing <paramref name="query"/> (fixed string, case-insensitive) in the files of a commit.</summary>
    public Task<CodeSearchResult> SearchAsync(string path, string commitId, string query, CancellationToken cancellationToken)
    {
        var key = ("grep", path, commitId, query);
        return cache.TryGet(key, out CodeSearchResult? known) ? Task.FromResult(known!) : gate.RunAsync(key, async token =>
        {
            var output = await GitOutputReader.ReadLinesAsync(path,
                ["grep", "-I", "-n", "-i", "--full-name", "--fixed-strings", "-z", "--max-count=20", "-e", query, commitId],
                limits.MaxGitOutputBytes, MaxLineChars, token);
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
            var result = new CodeSearchResult(matches, output.Complete && output.ExitCode is 0 or 1 && output.Lines.Count <= MaxMatches);
            return cache.Set(key, result, BrowseCache.ObjectBytes + matches.Sum(m => 100 + BrowseCache.StringBytes(m.Path) + BrowseCache.StringBytes(m.Text)),
                TimeSpan.FromMinutes(10));
        }, cancellationToken);
    }

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
        return new BlameView(hunks, count, null);

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
