using GitTorrent.Fuzz;
using SharpFuzz;

// fuzz.dll <target>                 run <target> under afl-fuzz (once over stdin without it)
// fuzz.dll list                     the targets, one a line: name, then the parser
// fuzz.dll seeds <dir>              write the encoder-made seeds to <dir>/<target>/enc-<n>
// fuzz.dll replay <target> <file>…  run <target> on each file; print what throws; exit 1 if anything did
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: GitTorrent.Fuzz <target> | list | seeds <dir> | replay <target> <file>...");
    return 2;
}
switch (args[0])
{
    case "list":
        foreach (var target in FuzzTargets.All)
        {
            Console.WriteLine($"{target.Name}\t{target.Parser}");
        }
        return 0;
    case "seeds" when args.Length == 2:
        ReplayTraceMap.Install();
        foreach (var target in FuzzTargets.All)
        {
            var folder = Path.Combine(args[1], target.Name);
            Directory.CreateDirectory(folder);
            var n = 0;
            foreach (var seed in target.Seeds())
            {
                File.WriteAllBytes(Path.Combine(folder, $"enc-{n++}"), seed);
            }
        }
        return 0;
    case "replay" when args.Length >= 3:
    {
        var target = FuzzTargets.Find(args[1]);
        ReplayTraceMap.Install();
        var failed = 0;
        foreach (var file in args[2..])
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"{file}: {e}");
            }
        }
        return failed == 0 ? 0 : 1;
    }
    default:
    {
        var target = FuzzTargets.Find(args[0]);
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.ToArray());
        });
        return 0;
    }
}
