namespace GitTorrent.Cli.Issues;

/// <summary>The words after <c>gittorrent issue</c>: a verb, its operand and options (INTERFACES.md).</summary>
internal sealed record IssueArguments(
    string Verb,
    string? Id,
    string Directory,
    string? Title,
    string? Body,
    string? BodyFile,
    IReadOnlyList<string> Labels,
    string State,
    string Ref,
    bool Json)
{
    public static readonly string[] Verbs = ["new", "list", "show", "comment", "close", "reopen"];

    /// <summary>Parses the arguments, or says in one line what is wrong with them.</summary>
    public static (IssueArguments? Arguments, string? Error) Parse(IReadOnlyList<string> args)
    {
        string? verb = null, id = null, title = null, body = null, bodyFile = null, state = null, reference = null;
        var directory = Environment.CurrentDirectory;
        var labels = new List<string>();
        var json = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
            var name = equals > 0 ? arg[..equals] : arg;
            string? inline = equals > 0 ? arg[(equals + 1)..] : null;
            string? Value()
            {
                if (inline is not null)
                {
                    return inline;
                }
                return i + 1 < args.Count ? args[++i] : null;
            }
            string? value;
            switch (name)
            {
                case "-C":
                    if ((value = Value()) is null)
                    {
                        return Fail("-C needs a folder");
                    }
                    directory = Path.GetFullPath(value, directory);
                    break;
                case "--title":
                    title = Value();
                    if (title is null)
                    {
                        return Fail("--title needs a value");
                    }
                    break;
                case "--body":
                    body = Value();
                    if (body is null)
                    {
                        return Fail("--body needs a value");
                    }
                    break;
                case "--body-file":
                    bodyFile = Value();
                    if (bodyFile is null)
                    {
                        return Fail("--body-file needs a file (- for standard input)");
                    }
                    break;
                case "--label":
                    if ((value = Value()) is null)
                    {
                        return Fail("--label needs a value");
                    }
                    labels.Add(value);
                    break;
                case "--state":
                    state = Value();
                    if (state is not ("open" or "closed" or "all"))
                    {
                        return Fail("--state must be open, closed or all");
                    }
                    break;
                case "--ref":
                    reference = Value();
                    if (string.IsNullOrEmpty(reference) || reference.StartsWith('-') || reference.AsSpan().IndexOfAny(":\n\r ") >= 0)
                    {
                        return Fail("--ref needs a branch, tag or commit");
                    }
                    break;
                case "--json":
                    json = true;
                    break;
                default:
                    if (arg.StartsWith('-') && arg != "-")
                    {
                        return Fail($"unknown option {arg} (see gittorrent issue --help)");
                    }
                    if (verb is null)
                    {
                        verb = Verbs.Contains(arg) ? arg : null;
                        if (verb is null)
                        {
                            return Fail($"unknown subcommand '{arg}': use {string.Join(", ", Verbs)}");
                        }
                    }
                    else if (id is null)
                    {
                        id = arg;
                    }
                    else
                    {
                        return Fail($"unexpected argument '{arg}'");
                    }
                    break;
            }
        }
        if (verb is null)
        {
            return Fail($"missing subcommand: use {string.Join(", ", Verbs)}");
        }
        if (body is not null && bodyFile is not null)
        {
            return Fail("give --body or --body-file, not both");
        }
        var takesId = verb is "show" or "comment" or "close" or "reopen";
        if (takesId && id is null)
        {
            return Fail($"{verb} needs an issue id");
        }
        if (!takesId && id is not null)
        {
            return Fail($"unexpected argument '{id}'");
        }
        if (title is not null && verb != "new")
        {
            return Fail("--title only applies to new");
        }
        if (labels.Count > 0 && verb != "new")
        {
            return Fail("--label only applies to new");
        }
        if ((body is not null || bodyFile is not null) && verb is "list" or "show")
        {
            return Fail($"--body does not apply to {verb}");
        }
        if (state is not null && verb != "list")
        {
            return Fail("--state only applies to list");
        }
        if (reference is not null && verb is not ("list" or "show"))
        {
            return Fail("--ref only applies to list and show");
        }
        if (json && verb is not ("list" or "show"))
        {
            return Fail("--json only applies to list and show");
        }
        return (new IssueArguments(verb, id, directory, title, body, bodyFile, labels, state ?? "open", reference ?? "HEAD", json), null);

        static (IssueArguments?, string?) Fail(string error) => (null, error);
    }
}
