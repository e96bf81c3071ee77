namespace Zaqar.Bench.Drills;

/// <summary>How long a drill runs before, during and after its fault.</summary>
internal sealed record DrillTimes(TimeSpan Before, TimeSpan During, TimeSpan After);

/// <summary>
/// <c>Zaqar.Bench --drill NAME</c> (issue 16): failure drills against the deployment of deploy/cluster.sh (it must be up).
/// They live in the bench because they are load scenarios with a fault in the middle, driven by the official client,
/// and need nothing the bench lacks; the faults themselves go through deploy/cluster.sh, which alone knows the processes.
/// Exit code 0 when every verdict passed.
/// </summary>
internal static class DrillCommand
{
    public const string Argument = "--drill";

    public const string Usage = """
        usage: Zaqar.Bench --drill NAME [--balancer URL] [--seconds N] [--claims N] [--quiet N]
          node-kill          kill -9 a service node under posting, claiming and subscribed consumers
          pool-failover      kill -9 pool-a's primary (Patroni and PostgreSQL) with synchronous replication
          pool-failover-async  the same with synchronous replication off on pool-a (what asynchronous loses)
          catalogue-restart  restart the catalogue database's PostgreSQL under posting
          partition          cut node3 off every PostgreSQL (packets dropped): it reports not ready, HAProxy drains it
          all                every drill above, in that order
          history            the long one: the claim history checker over --claims claims (default 1,000,000) with
                             32 claimers, while the faults above come round in turn, one every --quiet seconds (default 30)
        the deployment (deploy/cluster.sh up) must be running; --seconds sets the time under fault (default 10)
        """;

    private static readonly string[] Names = ["node-kill", "pool-failover", "pool-failover-async", "catalogue-restart", "partition"];

    public static async Task<int> RunAsync(string[] args)
    {
        var name = args.Length > 1 ? args[1] : "";
        var balancer = new Uri("http://127.0.0.1:5800");
        var seconds = 10;
        var claims = 1_000_000L;
        var quiet = 30;
        for (var i = 2; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--balancer": balancer = new Uri(args[i + 1]); break;
                case "--seconds": seconds = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--claims": claims = long.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--quiet": quiet = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                default: name = ""; break;
            }
        }
        string[] drills = name == "all" ? Names : Names.Contains(name) || name == "history" ? [name] : [];
        if (drills.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var script = FindScript();
        var times = new DrillTimes(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(5));
        var failed = 0;
        foreach (var drillName in drills)
        {
            var drill = new DrillContext(balancer, script);
            Console.WriteLine($"== drill {drillName} ({balancer}) ==");
            try
            {
                await (drillName switch
                {
                    "node-kill" => NodeKillDrill.RunAsync(drill, times),
                    "pool-failover" => PoolFailoverDrill.RunAsync(drill, times, synchronous: true),
                    "pool-failover-async" => PoolFailoverDrill.RunAsync(drill, times, synchronous: false),
                    "catalogue-restart" => CatalogueDrills.RestartAsync(drill, times),
                    "history" => HistoryDrill.RunAsync(drill, claims, TimeSpan.FromSeconds(quiet)),
                    _ => PartitionDrill.RunAsync(drill, times),
                });
            }
            catch (Exception ex)
            {
                drill.Verdict("the drill ran to its end", false, $"{ex.GetType().Name}: {ex.Message}");
            }
            Console.WriteLine($"== drill {drillName}: {(drill.Passed ? "PASSED" : "FAILED")} ==");
            failed += drill.Passed ? 0 : 1;
        }
        return failed == 0 ? 0 : 1;
    }

    /// <summary>deploy/cluster.sh of this checkout: up from the bench's binaries to the repository root.</summary>
    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "deploy", "cluster.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }
        throw new FileNotFoundException("deploy/cluster.sh not found above " + AppContext.BaseDirectory);
    }
}
