using GitTorrent.Bench.Replicas;

// dotnet run -c Release --project bench/Replicas -- jobs   [--jobs 10000] [--batch 64] [--postgres CS]
// dotnet run -c Release --project bench/Replicas -- crawl  [--users 10000] [--nodes 100] [--postgres CS]
// dotnet run -c Release --project bench/Replicas -- pages  [--seconds 15] [--connections 48] [--postgres CS]
// The PostgreSQL server: --postgres, else GITTORRENT_TEST_POSTGRES (a server connection string; a database is created per run).
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
int Int(string name, int fallback) => int.TryParse(Arg(name), out var v) ? v : fallback;
var postgres = Arg("--postgres") ?? Environment.GetEnvironmentVariable("GITTORRENT_TEST_POSTGRES");
if (args.Length == 0 || postgres is null)
{
    Console.Error.WriteLine("usage: bench/Replicas jobs [--jobs 10000] [--batch 64] | crawl [--users 10000] [--nodes 100] | pages [--seconds 15] [--connections 48]");
    Console.Error.WriteLine("       [--postgres CS] (default: GITTORRENT_TEST_POSTGRES)");
    return 2;
}

Console.WriteLine($"load before: {Load.Describe()}");
var code = args[0] switch
{
    "jobs" => await JobsBenchmark.RunAsync(postgres, Int("--jobs", 10_000), Int("--batch", 64)),
    "crawl" => await CrawlBenchmark.RunAsync(postgres, Int("--users", 10_000), Int("--nodes", 100)),
    "pages" => await PagesBenchmark.RunAsync(postgres, Int("--seconds", 15), Int("--connections", 48)),
    _ => 2,
};
Console.WriteLine($"load after: {Load.Describe()}");
return code;
