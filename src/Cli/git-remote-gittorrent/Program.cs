return await GitTorrent.Cli.RemoteHelper.RunAsync(args, Console.Error);
