namespace GitTorrent.Cli;

/// <summary>Process exit codes shared by both programs.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int NotImplemented = 2;
}
