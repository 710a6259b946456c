using GitTorrent.Bench.Indexer;

// dotnet run -c Release --project bench/Indexer -- names [--blocks 2000] [--share 0.05] [--dense-blocks 1000] [--dense-entries 20]
// dotnet run -c Release --project bench/Indexer -- profiles [--users 10000] [--batch 500]
// PostgreSQL: --postgres "<server connection string>" or GITTORRENT_BENCH_POSTGRES / GITTORRENT_TEST_POSTGRES; each
// measurement creates and drops its own database there.
if (args.Length == 0 || args[0] is not ("names" or "profiles"))
{
    return Usage();
}
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}
var postgres = options.GetValueOrDefault("--postgres")
    ?? Environment.GetEnvironmentVariable("GITTORRENT_BENCH_POSTGRES")
    ?? Environment.GetEnvironmentVariable("GITTORRENT_TEST_POSTGRES");
if (string.IsNullOrEmpty(postgres))
{
    Console.Error.WriteLine("No PostgreSQL server: pass --postgres \"Host=127.0.0.1;Port=...;Username=...;Password=...\".");
    return 2;
}
int Int(string name, int fallback) => options.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
double Real(string name, double fallback) => options.TryGetValue(name, out var v) ? double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
return args[0] == "names"
    ? await NameIndexBenchmark.RunAsync(postgres, Int("--blocks", 2000), Real("--share", 0.05), Int("--dense-blocks", 1000), Int("--dense-entries", 20))
    : await ProfileStoreBenchmark.RunAsync(postgres, Int("--users", 10_000), Int("--batch", 500));

static int Usage()
{
    Console.Error.WriteLine("usage: bench/Indexer names [--blocks 2000] [--share 0.05] [--dense-blocks 1000] [--dense-entries 20] [--postgres CS]");
    Console.Error.WriteLine("       bench/Indexer profiles [--users 10000] [--batch 500] [--postgres CS]");
    return 2;
}
