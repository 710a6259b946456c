using GitTorrent.Cli.Issues;
using GitTorrent.Engine;
using GitTorrent.Engine.Git;
using GitTorrent.Engine.Issues;

namespace GitTorrent.Cli.Commands;

/// <summary>
/// <c>gittorrent issue new|list|show|comment|close|reopen</c>: issues stored in the repository (docs/PROTOCOL.md section 6).
/// Works in the git repository around the current folder (or <c>-C DIR</c>); writes and commits only issue files
/// (<see cref="IssueCommitter"/>); reads the committed tree of HEAD or <c>--ref</c>. Every failure is one line on
/// stderr and exit code 1.
/// </summary>
public sealed class IssueCommand(TimeProvider time) : ICliCommand
{
    private readonly IssueLimits _limits = new();

    public IssueCommand()
        : this(TimeProvider.System)
    {
    }

    public string Name => "issue";

    public string Summary => "issues stored in the repository: new, list, show, comment, close, reopen";

    public string Usage => """
        gittorrent issue new --title T [--body B | --body-file F] [--label L]...
        gittorrent issue list [--state open|closed|all] [--ref REF] [--json]
        gittorrent issue show <id> [--ref REF] [--json]
        gittorrent issue comment <id> (--body B | --body-file F)
        gittorrent issue close <id> [--body B | --body-file F]
        gittorrent issue reopen <id> [--body B | --body-file F]
          Works in the git repository around the current folder; -C DIR works in DIR instead, like git.
          Issues are files under .issues/<id>/ (issue.md, comments/<created>-<author>.md); new, comment,
          close and reopen write them and commit them on the current branch, touching nothing else staged.
          The author is the user id of $GITTORRENT_HOME (gittorrent keygen); the commit's author and
          committer come from git's config. Without --body or --body-file, new and comment open the
          editor git uses ($GIT_EDITOR, core.editor, $VISUAL, $EDITOR); --body-file - reads stdin.
          close and reopen with a body also add it as a comment. list and show read the committed tree
          of HEAD (or --ref); ids may be abbreviated to a unique prefix of 4 or more digits.
        """;

    public async Task<int> RunAsync(CliContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (arguments, usage) = IssueArguments.Parse(args);
        if (arguments is null)
        {
            return await FailAsync(context, usage!);
        }
        try
        {
            if (arguments.Verb is "list" or "show")
            {
                // Reading starts no git at all for the usual refs: the repository is found, the ref resolved and the
                // objects read in-process.
                if (GitDirectoryLocator.Find(arguments.Directory) is not { } gitDirectory)
                {
                    return await FailAsync(context, $"not a git repository: {arguments.Directory}");
                }
                var read = arguments.Verb == "list"
                    ? await ListAsync(context, gitDirectory, arguments, cancellationToken)
                    : await ShowAsync(context, gitDirectory, arguments, cancellationToken);
                return read is null ? ExitCodes.Success : await FailAsync(context, read);
            }
            var repository = await GitWorkTree.FindAsync(arguments.Directory, cancellationToken);
            if (repository is null)
            {
                return await FailAsync(context, $"not a git repository: {arguments.Directory}");
            }
            var error = await ChangeAsync(context, repository, arguments, cancellationToken);
            return error is null ? ExitCodes.Success : await FailAsync(context, error);
        }
        catch (GitTorrentException e)
        {
            return await FailAsync(context, e.Message.Split('\n')[0]);
        }
    }

    private async Task<string?> ListAsync(CliContext context, string gitDirectory, IssueArguments arguments, CancellationToken cancellationToken)
    {
        bool Wanted(IssueState state) => arguments.State == "all" || IssueFormat.FormatState(state) == arguments.State;

        // The table of a commit never changes: when the ref still names the commit listed last, print that table.
        var commit = await ResolveAsync(arguments.Directory, gitDirectory, arguments.Ref, cancellationToken);
        var saved = arguments.Json ? null : IssueListingFile.TryRead(gitDirectory, _limits.MaxIssues);
        if (saved is not null && commit == saved.Commit)
        {
            await PrintAsync(saved);
            return null;
        }
        using var objects = GitObjectReader.Open(gitDirectory);
        var source = new ObjectReaderIssueSource(objects);
        if (commit is null)
        {
            // An unborn HEAD has no issues yet; any other ref must exist.
            if (arguments.Ref != "HEAD")
            {
                return $"unknown ref '{arguments.Ref}'";
            }
            if (arguments.Json)
            {
                await context.Out.WriteAsync(IssueOutput.ListJson(arguments.Ref, null, [], new IssueListing([], [], false)));
            }
            return null;
        }
        if (source.IssuesTreeIdOf(commit.Value) is not { } issuesTree)
        {
            return $"cannot read commit {commit} ('{arguments.Ref}')";
        }
        // Another commit with the same .issues tree (a commit that changed no issue) lists the same table.
        if (saved is not null && (issuesTree.Id ?? Hash20.Zero) == saved.IssuesTree)
        {
            saved = saved with { Commit = commit.Value };
            IssueListingFile.Write(gitDirectory, saved);
            await PrintAsync(saved);
            return null;
        }
        var entries = issuesTree.Id is { } treeId ? source.ReadTree(treeId) : [];
        if (entries is null)
        {
            return $"cannot read commit {commit} ('{arguments.Ref}')";
        }
        var reader = new IssueReader(source, _limits);
        if (!arguments.Json)
        {
            // Only the folders whose tree id changed since the saved listing are read and formatted.
            var listed = await IssueListingBuilder.BuildAsync(reader, commit.Value, issuesTree.Id, entries, saved,
                () => IssueSummaryFile.Open(gitDirectory, _limits.MaxIssues), _limits.MaxIssues, cancellationToken);
            IssueListingFile.Write(gitDirectory, listed);
            await PrintAsync(listed);
            return null;
        }
        var cache = IssueSummaryFile.Open(gitDirectory, _limits.MaxIssues);
        var listing = await reader.ListAsync(entries, cache, cancellationToken);
        cache.Save();
        var shown = listing.Issues.Where(i => Wanted(i.State)).ToList();
        await context.Out.WriteAsync(IssueOutput.ListJson(arguments.Ref, commit.ToString(), shown, listing));
        await WarnAsync(context, listing.Unreadable, listing.Truncated);
        return null;

        async Task PrintAsync(IssueListingFile.Saved table)
        {
            var lines = new List<string>(table.Folders.Count);
            var unreadable = new List<UnreadableIssueFile>();
            foreach (var folder in table.Folders)
            {
                if (folder.Line is { } line)
                {
                    if (Wanted(folder.State))
                    {
                        lines.Add(line);
                    }
                }
                else if (folder.Unreadable is { } problem)
                {
                    unreadable.Add(problem);
                }
            }
            await context.Out.WriteAsync(IssueOutput.Table(lines));
            await WarnAsync(context, unreadable, table.Truncated);
        }
    }

    private async Task<string?> ShowAsync(CliContext context, string gitDirectory, IssueArguments arguments, CancellationToken cancellationToken)
    {
        using var objects = GitObjectReader.Open(gitDirectory);
        var source = new ObjectReaderIssueSource(objects);
        var (tree, error) = IssuesTree(source, await ResolveAsync(arguments.Directory, gitDirectory, arguments.Ref, cancellationToken), arguments.Ref);
        if (error is not null)
        {
            return error;
        }
        if (IssueReader.Find(tree, arguments.Id!, out error) is not { } folder)
        {
            return error.StartsWith("no issue", StringComparison.Ordinal) ? $"{error} at {arguments.Ref}" : error;
        }
        var reader = new IssueReader(source, _limits);
        var summary = (await reader.SummarizeAsync([folder], cancellationToken))[0];
        if (summary.Issue is null)
        {
            return $"{summary.Unreadable!.Path} is unreadable: {summary.Unreadable.Reason}";
        }
        var detail = await reader.ReadAsync(folder.Name, folder.Id, cancellationToken);
        await context.Out.WriteAsync(arguments.Json ? IssueOutput.ShowJson(summary.Issue, detail) : IssueOutput.ShowText(summary.Issue, detail));
        await WarnAsync(context, detail.Unreadable, false);
        return null;
    }

    /// <summary>new, comment, close, reopen: build the changed files on top of the branch tip and commit them.</summary>
    private async Task<string?> ChangeAsync(CliContext context, GitWorkTree repository, IssueArguments arguments, CancellationToken cancellationToken)
    {
        Hash20 author;
        using (var identity = IdentityFile.TryLoad(context.Options.Home))
        {
            if (identity is null)
            {
                return $"no identity in {context.Options.Home}: run 'gittorrent keygen' first";
            }
            author = identity.UserId;
        }
        var committer = new IssueCommitter(repository);
        var (target, refusal) = await committer.PrepareAsync(cancellationToken);
        if (target is null)
        {
            return refusal;
        }
        using var objects = GitObjectReader.Open(repository.GitDirectory);
        var source = new ObjectReaderIssueSource(objects);
        var tree = target.Parent is { } parent ? IssuesTree(source, parent, "HEAD").Tree : [];
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var (changes, message, id, error) = arguments.Verb == "new"
            ? await NewIssueAsync(repository, arguments, author, now, tree, cancellationToken)
            : await ChangeIssueAsync(repository, source, arguments, author, now, tree, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var result = await committer.CommitAsync(target, changes!, message!, cancellationToken);
        if (result.Error is not null)
        {
            return result.Error;
        }
        await context.Out.WriteLineAsync(id);
        return null;
    }

    private async Task<(List<IssueFileChange>?, string?, string?, string?)> NewIssueAsync(GitWorkTree repository, IssueArguments arguments,
        Hash20 author, DateTimeOffset now, IReadOnlyList<GitTreeEntry> tree, CancellationToken cancellationToken)
    {
        var title = arguments.Title?.Trim();
        if (string.IsNullOrEmpty(title))
        {
            return Fail("new needs a non-empty --title");
        }
        if (!FrontMatter.IsValue(title) || title.Length > _limits.MaxTitleLength)
        {
            return Fail($"the title must be one line of at most {_limits.MaxTitleLength} characters");
        }
        var labels = arguments.Labels.Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (labels.Any(l => l.Contains(',', StringComparison.Ordinal) || !FrontMatter.IsValue(l)))
        {
            return Fail("a label cannot contain a comma or a line break");
        }
        if (!IssueFormat.TryParseLabels(string.Join(", ", labels), _limits, out _, out var labelError))
        {
            return Fail(labelError);
        }
        var id = IssueId.Derive(author, now.ToUnixTimeSeconds(), title);
        if (tree.Any(e => e.Name == id))
        {
            return Fail($"issue {id} already exists");
        }
        var (body, error) = await IssueBodyReader.ReadAsync(arguments, repository.GitDirectory, "issue's description", _limits.MaxFileBytes, cancellationToken);
        if (error is not null)
        {
            return Fail(error);
        }
        var text = IssueFormat.WriteIssue(title, author, now, IssueState.Open, labels, body!);
        if (!IssueFormat.TryParseIssue(System.Text.Encoding.UTF8.GetBytes(text), _limits, out _, out error))
        {
            return Fail($"the issue would be unreadable: {error}");
        }
        return ([new IssueFileChange(IssuePaths.IssueFileOf(id), text, IsNew: true)], $"issue {id}: {title}", id, null);
    }

    private async Task<(List<IssueFileChange>?, string?, string?, string?)> ChangeIssueAsync(GitWorkTree repository, ObjectReaderIssueSource source,
        IssueArguments arguments, Hash20 author, DateTimeOffset now, IReadOnlyList<GitTreeEntry> tree, CancellationToken cancellationToken)
    {
        if (IssueReader.Find(tree, arguments.Id!, out var error) is not { } folder)
        {
            return Fail(error);
        }
        var id = folder.Name;
        var entries = (await source.ReadTreesAsync([folder.Id], cancellationToken)).GetValueOrDefault(folder.Id) ?? [];
        var changes = new List<IssueFileChange>();
        string message;
        if (arguments.Verb is "close" or "reopen")
        {
            var wanted = arguments.Verb == "close" ? IssueState.Closed : IssueState.Open;
            var file = entries.FirstOrDefault(e => e.Name == IssuePaths.IssueFile && e.Kind == GitTreeEntryKind.File);
            var blob = file is null ? null : (await source.ReadBlobsAsync([file.Id], _limits.MaxFileBytes, cancellationToken)).GetValueOrDefault(file.Id);
            if (blob?.Content is not { } bytes)
            {
                return Fail($"{IssuePaths.IssueFileOf(id)} is {(blob is null ? "missing" : "too large")}");
            }
            if (!FrontMatter.TryDecode(bytes, _limits, out var text, out error) || !IssueFormat.TryParseIssue(text, _limits, out var issue, out error))
            {
                return Fail($"{IssuePaths.IssueFileOf(id)} is unreadable: {error}");
            }
            if (issue!.State == wanted)
            {
                return Fail($"issue {id} is already {IssueFormat.FormatState(wanted)}");
            }
            changes.Add(new IssueFileChange(IssuePaths.IssueFileOf(id), IssueFormat.WithState(text, wanted), IsNew: false));
            message = $"issue {id}: {arguments.Verb}";
        }
        else
        {
            message = $"issue {id}: comment";
        }
        var commentWanted = arguments.Verb == "comment" || arguments.Body is not null || arguments.BodyFile is not null;
        if (commentWanted)
        {
            var (body, bodyError) = await IssueBodyReader.ReadAsync(arguments, repository.GitDirectory, "comment", _limits.MaxFileBytes, cancellationToken);
            if (bodyError is not null)
            {
                return Fail(bodyError);
            }
            if (string.IsNullOrWhiteSpace(body))
            {
                if (arguments.Verb == "comment")
                {
                    return Fail("empty comment: nothing was committed");
                }
            }
            else
            {
                var existing = (entries.FirstOrDefault(e => e.Name == IssuePaths.CommentsFolder && e.Kind == GitTreeEntryKind.Tree) is { } comments
                    ? (await source.ReadTreesAsync([comments.Id], cancellationToken)).GetValueOrDefault(comments.Id) ?? []
                    : []).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
                // One file per comment: a second comment by the same author in the same second takes the next free second.
                var created = now;
                while (existing.Contains(IssueFormat.CommentFileName(created, author)))
                {
                    created = created.AddSeconds(1);
                }
                var text = IssueFormat.WriteComment(author, created, body);
                if (!IssueFormat.TryParseComment("c.md", System.Text.Encoding.UTF8.GetBytes(text), _limits, out _, out error))
                {
                    return Fail($"the comment would be unreadable: {error}");
                }
                changes.Add(new IssueFileChange(IssuePaths.CommentFileOf(id, IssueFormat.CommentFileName(created, author)), text, IsNew: true));
            }
        }
        return (changes, message, id, null);
    }

    private static (List<IssueFileChange>?, string?, string?, string?) Fail(string error) => (null, null, null, error);

    /// <summary>
    /// The commit a ref names: read from the git directory's files for HEAD, branches, tags and ids; asked of
    /// <c>git rev-parse</c> for anything else (<c>HEAD~2</c>, <c>origin/main</c>). Null when there is none.
    /// </summary>
    private static async Task<Hash20?> ResolveAsync(string directory, string gitDirectory, string reference, CancellationToken cancellationToken)
    {
        if (GitRefReader.TryResolve(gitDirectory, reference) is { } known)
        {
            return known;
        }
        var parsed = await GitRunner.RunCapturedAsync(directory, ["rev-parse", "-q", "--verify", "--end-of-options", reference + "^{commit}"],
            cancellationToken);
        return parsed.ExitCode == 0 && Hash20.TryParse(parsed.StandardOutput.Trim(), out var id) ? id : null;
    }

    /// <summary>The entries of a commit's <c>.issues</c> tree (none for an unborn HEAD), or why there are none to read.</summary>
    private static (IReadOnlyList<GitTreeEntry> Tree, string? Error) IssuesTree(ObjectReaderIssueSource source, Hash20? commit, string reference)
    {
        if (commit is null)
        {
            return reference == "HEAD" ? ([], null) : ([], $"unknown ref '{reference}'");
        }
        return source.IssuesTreeOf(commit.Value) is { } found ? (found.Entries, null) : ([], $"cannot read commit {commit} ('{reference}')");
    }

    private static async Task WarnAsync(CliContext context, IReadOnlyList<UnreadableIssueFile> unreadable, bool truncated)
    {
        foreach (var file in unreadable)
        {
            await context.Error.WriteLineAsync($"warning: {file.Path} is unreadable: {file.Reason}");
        }
        if (truncated)
        {
            await context.Error.WriteLineAsync("warning: more issue folders than the listing reads; the rest are not shown");
        }
    }

    private static async Task<int> FailAsync(CliContext context, string error)
    {
        await context.Error.WriteLineAsync("gittorrent issue: " + error);
        return ExitCodes.Failure;
    }
}
