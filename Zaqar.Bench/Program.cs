using Zaqar.Bench;

// The bench command (issue #2): drives the REST API on loopback with N keep-alive connections for a bounded
// time, and the same work as plain SQL, and prints msg/s, p50/p99 and the ratios, all from one run.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

Console.WriteLine($"ZaqarHub bench: {options.Connections} connections, {options.Duration.TotalSeconds:N0} s per scenario, " +
    $"{(options.Durable ? "durable" : "fsync off")} PostgreSQL, {Environment.ProcessorCount} cores (load generator shares them)");
await using var host = await BenchHost.StartAsync(options);
var results = new Dictionary<string, ScenarioResult>();
void Report(string key, ScenarioResult result)
{
    results[key] = result;
    Console.WriteLine(result);
}

await using (var sql = new SqlBaseline(host.ConnectionString, options))
{
    await sql.SetUpAsync();
    if (options.Runs("sql-post"))
    {
        Report("sql-post", await sql.PostBatchesAsync());
    }
    if (options.Runs("sql-claim"))
    {
        Report("sql-claim", await sql.ClaimAndDeleteAsync());
    }
}

using (var rest = new RestScenarios(host, options))
{
    if (options.Runs("rest-post"))
    {
        Report("rest-post", await rest.PostBatchesAsync("REST: post 10 x 256 B, one queue", spread: false));
    }
    if (options.Runs("rest-post-spread"))
    {
        Report("rest-post-spread", await rest.PostBatchesAsync("REST: post 10 x 256 B, queue/worker", spread: true));
    }
    var expected = results.TryGetValue("sql-claim", out var s) ? s.MessagesPerSecond : 20000;
    var prefill = (int)(expected * options.Duration.TotalSeconds * 1.2) + 1000;
    if (options.Runs("store-claim"))
    {
        Report("store-claim", await rest.StoreClaimAndDeleteAsync("stores: claim 10 + delete (no HTTP)", prefill));
    }
    if (options.Runs("rest-claim"))
    {
        Report("rest-claim", await rest.ClaimAndDeleteAsync("REST: claim 10 + bulk delete", prefill));
    }
}

Console.WriteLine();
Console.WriteLine("ratios (same run):");
void Ratio(string label, string a, string b)
{
    if (results.TryGetValue(a, out var x) && results.TryGetValue(b, out var y))
    {
        Console.WriteLine($"  {label,-44} {x.MessagesPerSecond / y.MessagesPerSecond,6:P0}");
    }
}
Ratio("REST post (one queue) / plain SQL insert", "rest-post", "sql-post");
Ratio("REST post (queue per worker) / plain SQL insert", "rest-post-spread", "sql-post");
Ratio("REST claim+delete / plain SQL claim+delete", "rest-claim", "sql-claim");
Ratio("stores claim+delete / plain SQL claim+delete", "store-claim", "sql-claim");
return 0;
