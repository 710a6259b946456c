using GitTorrent.Bench.Dht;

// dotnet run -c Release --project bench/Dht -- lookup [nodes] [lookups]
// dotnet run -c Release --project bench/Dht -- throughput [items] [seconds]
return args switch
{
    ["lookup", .. var rest] => await LookupBenchmark.RunAsync(
        rest.Length > 0 ? int.Parse(rest[0]) : 500, rest.Length > 1 ? int.Parse(rest[1]) : 200),
    ["throughput", .. var rest] => await ThroughputBenchmark.RunAsync(
        rest.Length > 0 ? int.Parse(rest[0]) : 100_000, rest.Length > 1 ? int.Parse(rest[1]) : 10),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench/Dht lookup [nodes=500] [lookups=200] | throughput [items=100000] [seconds=10]");
    return 2;
}
