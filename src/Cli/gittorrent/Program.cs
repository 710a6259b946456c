return GitTorrent.Cli.ExitCodes.NotImplemented;
