using System.Diagnostics;

namespace Zaqar.Bench;

/// <summary>
/// Says which scenario runs and about how long the run has left (issue 14: the bench shows progress while it runs).
/// </summary>
/// <remarks>
/// Estimates, not promises: a load scenario takes its warm-up and measured time plus set-up (a prefill, connecting);
/// the others take what their own loops are bounded by. Scenarios are announced in the order Program runs them, and
/// the time left is the sum of the estimates of the selected scenarios not yet started.
/// </remarks>
internal sealed class BenchProgress
{
    /// <summary>How long each load scenario runs in the warm-up round, after its own <see cref="LoadRunner.Warmup"/>.</summary>
    public static readonly TimeSpan WarmUpRound = TimeSpan.FromSeconds(3);

    /// <summary>The scenarios that go through <see cref="LoadRunner"/>; all but "protocol" run in the warm-up round too.</summary>
    public static readonly string[] LoadScenarios =
    [
        "sql-post", "sql-post1", "sql-claim", "rest-floor", "rest-floor1", "hub-mp-floor", "hub-mp-floor1", "rest-post",
        "rest-post-spread", "rest-post1", "store-claim", "rest-claim", "rest-list", "hub-mp-post", "hub-json-post", "hub-mp-post1", "hub-json-post1", "hub-mp-claim", "hub-json-claim",
        "ws-mp-post", "ws-json-post", "ws-mp-claim", "ws-json-claim", "store-post", "store-post1", "protocol",
    ];

    private readonly Dictionary<string, TimeSpan> _estimates;
    private readonly Dictionary<string, TimeSpan> _warmUps;
    private readonly HashSet<string> _started = [];
    private readonly HashSet<string> _warmed = [];
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    public BenchProgress(BenchOptions options)
    {
        var load = LoadRunner.Warmup + options.Duration + TimeSpan.FromSeconds(1);
        _warmUps = LoadScenarios.Where(k => k != "protocol" && options.Runs(k))
            .ToDictionary(k => k, _ => LoadRunner.Warmup + WarmUpRound + TimeSpan.FromSeconds(1));
        var all = LoadScenarios.Select(k => (k, load)).Concat(
        [
            ("push-mp", options.Duration + TimeSpan.FromSeconds(2)),
            ("push-json", options.Duration + TimeSpan.FromSeconds(2)),
            ("fanout", 2 * (options.Duration + TimeSpan.FromSeconds(28))), // 15 s of unmeasured posting each (FanOutScenario)
            ("presence", TimeSpan.FromSeconds(20)),
            ("recovery", TimeSpan.FromSeconds(15)),
            ("webhooks", TimeSpan.FromSeconds(10)),
            ("fuzz", TimeSpan.FromSeconds(options.FuzzCases / 500_000.0)),
        ]);
        var named = new (string, TimeSpan)[]
        {
            ("rest-fuzz", options.RestFuzzTime),
            ("scale", TimeSpan.FromMinutes(4)),
            ("idle", TimeSpan.FromMinutes(4)),
            ("soak", TimeSpan.FromMinutes(options.SoakMinutes + 1)),
            // About 2,000 claims a second on this machine.
            ("history", TimeSpan.FromSeconds(options.HistoryClaims / 2000.0 + 20)),
        };
        _estimates = all.Where(s => options.Runs(s.Item1))
            .Concat(named.Where(s => options.RunsWhenNamed(s.Item1)))
            .ToDictionary(s => s.Item1, s => s.Item2);
    }

    /// <summary>Announces <paramref name="key"/>'s unmeasured run in the warm-up round as starting now.</summary>
    public void WarmUp(string key)
    {
        _warmed.Add(key);
        Console.WriteLine($"[warm-up {_warmed.Count}/{_warmUps.Count}] {key} (unmeasured; {Format(_elapsed.Elapsed)} so far, about {Format(Left())} after this one)");
    }

    /// <summary>Announces <paramref name="key"/> (a scenario named in the usage) as starting now.</summary>
    public void Start(string key, string? what = null)
    {
        _started.Add(key);
        var left = Left();
        var position = _started.Count(_estimates.ContainsKey);
        var self = _estimates.TryGetValue(key, out var estimate) ? $"about {Format(estimate)}" : "unestimated";
        Console.WriteLine(
            $"[{position}/{_estimates.Count}] {key}{(what is null ? "" : ": " + what)} ({self}; " +
            $"{Format(_elapsed.Elapsed)} so far, about {Format(left)} after this one)");
    }

    private TimeSpan Left() =>
        _estimates.Where(e => !_started.Contains(e.Key)).Concat(_warmUps.Where(w => !_warmed.Contains(w.Key)))
            .Aggregate(TimeSpan.Zero, (sum, e) => sum + e.Value);

    private static string Format(TimeSpan t) =>
        t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{Math.Max(0, (int)Math.Round(t.TotalSeconds))} s";
}
