using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Routing;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>The service under fuzz: its loopback address, its endpoints (the route table), and its databases.</summary>
public sealed record RestFuzzTarget(Uri BaseUri, EndpointDataSource Endpoints, string PrimaryConnectionString, string PoolConnectionString);

/// <summary>How much to fuzz. A run stops at <see cref="Cases"/> or <see cref="TimeLimit"/>, whichever comes first.</summary>
public sealed record RestFuzzOptions
{
    public int Cases { get; init; } = 100_000;

    public int Seed { get; init; }

    public int Workers { get; init; } = 8;

    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Past this, a request is a hang: a failure.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Told a line of progress now and then (the bench prints it).</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>
/// The REST fuzzer of issue 10 (item 5): random and mutated requests over the whole route table (see
/// <see cref="RestRouteTable"/>, <see cref="CaseGenerator"/>), from concurrent workers with a project each, over real
/// HTTP on loopback. Pass rule: no 5xx, no request past the timeout, nothing written by a refused request (checked with
/// <see cref="ProjectState"/> after every 4xx), and the service still up at the end (ping, a real post and get).
/// Failures are grouped by <see cref="FuzzArea"/>, kind and route; the first of each group is shrunk to the fewest
/// mutations that still fail. Deterministic for a seed up to the ids the service hands out and the interleaving of workers.
/// Public and free of xunit, so the bench links it for the long run (100,000+ cases); the suite runs a short one.
/// </summary>
public sealed partial class RestFuzzer
{
    private readonly RestFuzzTarget _target;
    private readonly RestFuzzOptions _options;
    private readonly ProjectState _state;
    private readonly IReadOnlyList<RouteSpec> _routes;
    private readonly SemaphoreSlim _catalogGate = new(1, 1);
    private readonly ConcurrentDictionary<int, long> _statuses = new();
    private readonly long[] _routeCases;
    private readonly long[] _routeAccepted;
    private readonly ConcurrentDictionary<string, Group> _failures = new();
    private readonly ConcurrentBag<SlowCase> _slow = [];
    private long _stateChecks;
    private long _requestTicks;
    private long _checkTicks;

    private RestFuzzer(RestFuzzTarget target, RestFuzzOptions options, ProjectState state, IReadOnlyList<RouteSpec> routes)
    {
        _target = target;
        _options = options;
        _state = state;
        _routes = routes;
        _routeCases = new long[routes.Count];
        _routeAccepted = new long[routes.Count];
    }

    /// <summary>
    /// How the service under fuzz is configured: every route mapped (admin mode, pools), pre-signed URLs on, no rate
    /// limit, and nothing that changes a project's rows behind its requests' backs (no sweeper) or leaves the machine
    /// (no notification dispatcher).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> ServiceSettings = new Dictionary<string, string?>
    {
        ["Zaqar:AdminMode"] = "true",
        ["Pools:Enabled"] = "true",
        ["SignedUrl:SecretKey"] = "rest-fuzz-secret",
        ["Limits:PermitsPerSecond"] = "0",
        ["Limits:MaxConnectionsPerProject"] = "0",
        ["Storage:SweepEnabled"] = "false",
        ["Notifications:DispatcherEnabled"] = "false",
    };

    /// <summary>
    /// Past this many messages and notifications (the dispatcher is off, so they pile up) in a worker's project, its queues
    /// and topics are purged: the state check reads every row of the project, and should stay cheap.
    /// </summary>
    private const long MaxRows = 3000;

    /// <summary>How long a request with lying framing (see <see cref="FuzzTag.Framing"/>) is given to be answered.</summary>
    private static readonly TimeSpan FramingPatience = TimeSpan.FromSeconds(1);

    private string RunToken => $"fz{(uint)_options.Seed:x8}";

    public static async Task<RestFuzzReport> RunAsync(RestFuzzTarget target, RestFuzzOptions options, CancellationToken ct)
    {
        var drift = RestRouteTable.Check(RestRouteTable.Routed(target.Endpoints));
        if (drift.Count > 0)
        {
            throw new InvalidOperationException("The fuzzer's route table and the service's endpoints differ:\n" + string.Join("\n", drift));
        }
        await using var state = await ProjectState.CreateAsync(target.PrimaryConnectionString, target.PoolConnectionString, ct);
        var fuzzer = new RestFuzzer(target, options, state, [.. RestRouteTable.Routes, .. RestRouteTable.Middleware]);
        return await fuzzer.RunAsync(ct);
    }

    private async Task<RestFuzzReport> RunAsync(CancellationToken ct)
    {
        var workers = Enumerable.Range(0, _options.Workers)
            .Select(i => new FuzzWorker(i, _options.Seed, RunToken, _target.PoolConnectionString)).ToArray();
        await SetUpCatalogAsync(workers[0], ct);
        foreach (var worker in workers)
        {
            await SetUpAsync(worker, ct);
        }
        long next = -1;
        var clock = Stopwatch.StartNew();
        var stoppedByTime = false;
        await Task.WhenAll(workers.Select(worker => Task.Run(async () =>
        {
            var random = new Random(HashCode.Combine(_options.Seed, worker.Index, "cases"));
            var generator = new CaseGenerator(worker, _routes);
            using var client = new RawHttpClient(_target.BaseUri);
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= _options.Cases)
                {
                    return;
                }
                if (clock.Elapsed > _options.TimeLimit)
                {
                    stoppedByTime = true;
                    return;
                }
                var fuzzCase = generator.Next(random);
                var outcome = await ExecuteAsync(worker, client, fuzzCase, ct);
                await RecordAsync(worker, index, fuzzCase, outcome, ct);
                if (worker.LastDigest is { } digest && ProjectState.Rows(digest, "messages") + ProjectState.Rows(digest, "notifications") > MaxRows)
                {
                    await TrimAsync(worker, ct);
                }
                if ((index + 1) % 10_000 == 0)
                {
                    _options.Progress?.Invoke($"REST fuzz: {index + 1:N0} cases, {(index + 1) / clock.Elapsed.TotalSeconds:N0}/s, " +
                        $"{_failures.Values.Sum(g => g.Count):N0} failing");
                }
            }
        }, ct)));
        var elapsed = clock.Elapsed;
        var cases = Math.Min(Interlocked.Read(ref next), _options.Cases);
        var coverageCases = await CoverAsync(workers[0], ct);
        var (alive, liveness) = await CheckAliveAsync(ct);
        return Report(cases, coverageCases, elapsed, stoppedByTime, alive, liveness);
    }

    /// <summary>
    /// After the random run, valid requests only (the pass rule still applies to each) until every route has been served
    /// at least once, so "every route's valid request is served" does not hang on the draw: a route whose valid request
    /// needs state (a live claim, a flavor) gets it from the random valid cases interleaved with its own. Each route never
    /// served gets at most <see cref="CoverageAttempts"/> tries; one worker, so the cases run in order.
    /// </summary>
    private async Task<int> CoverAsync(FuzzWorker worker, CancellationToken ct)
    {
        var random = new Random(HashCode.Combine(_options.Seed, "coverage"));
        var generator = new CaseGenerator(worker, _routes);
        using var client = new RawHttpClient(_target.BaseUri);
        var tries = new int[_routes.Count];
        var cases = 0;
        while (true)
        {
            var uncovered = Enumerable.Range(0, _routes.Count)
                .Where(i => Interlocked.Read(ref _routeAccepted[i]) == 0 && tries[i] < CoverageAttempts).ToList();
            if (uncovered.Count == 0)
            {
                return cases;
            }
            // Even cases: the next route not yet served, after the requests that make the state it needs; odd ones: any
            // route, to move the worker's state along.
            RouteSpec? route = null;
            if (cases % 2 == 0)
            {
                var index = uncovered[cases / 2 % uncovered.Count];
                tries[index]++;
                route = _routes[index];
                foreach (var needed in Prerequisites(route))
                {
                    var prepared = generator.Next(random, needed, valid: true);
                    await RecordAsync(worker, _options.Cases + cases, prepared, await ExecuteAsync(worker, client, prepared, ct), ct);
                    cases++;
                }
            }
            var fuzzCase = generator.Next(random, route, valid: true);
            var outcome = await ExecuteAsync(worker, client, fuzzCase, ct);
            await RecordAsync(worker, _options.Cases + cases, fuzzCase, outcome, ct);
            cases++;
        }
    }

    /// <summary>
    /// What a route's valid request needs that is short-lived in the service: a live claim (made from fresh messages), or a
    /// long-polling connection just negotiated (SignalR drops one whose transport does not start soon).
    /// </summary>
    private IEnumerable<RouteSpec> Prerequisites(RouteSpec route)
    {
        string[] needed = route.Pattern switch
        {
            "/hubs/queues" => ["* /hubs/queues/negotiate"],
            var pattern when pattern.Contains("{claimId}", StringComparison.Ordinal) =>
                ["POST /v2/queues/{queue}/messages", "POST /v2/queues/{queue}/claims"],
            _ => [],
        };
        return needed.Select(name => _routes.First(r => r.ToString() == name));
    }

    /// <summary>How many valid requests of a route never served <see cref="CoverAsync"/> sends before giving up on it.</summary>
    private const int CoverageAttempts = 25;

    private int IndexOf(RouteSpec route)
    {
        for (var i = 0; i < _routes.Count; i++)
        {
            if (ReferenceEquals(_routes[i], route))
            {
                return i;
            }
        }
        throw new InvalidOperationException($"unknown route {route}");
    }

    private static string Labels(FuzzCase fuzzCase) =>
        fuzzCase.Mutations.Count == 0 ? "none" : string.Join("; ", fuzzCase.Mutations.Select(m => $"{m.Tag}: {FuzzCase.Printable(m.Label, 80)}"));

    private RestFuzzReport Report(long cases, int coverageCases, TimeSpan elapsed, bool stoppedByTime, bool alive, string liveness)
    {
        var failures = _failures.Values
            .Select(g => new FuzzFailure(g.Area, g.Kind, g.Route, g.Status, g.Count, g.FirstCase, g.Mutations, g.Reproduction))
            .OrderBy(f => f.Area).ThenByDescending(f => f.Count).ToList();
        var neverAccepted = _routes.Where((_, i) => _routeAccepted[i] == 0).Select(r => r.ToString()).ToList();
        return new RestFuzzReport(
            _options.Seed, cases, coverageCases, elapsed, _options.Workers, stoppedByTime, new SortedDictionary<int, long>(_statuses), _routes.Count,
            _routeCases.Count(n => n > 0), _routeAccepted.Count(n => n > 0), neverAccepted, Interlocked.Read(ref _stateChecks),
            TimeSpan.FromSeconds((double)_requestTicks / Stopwatch.Frequency), TimeSpan.FromSeconds((double)_checkTicks / Stopwatch.Frequency), failures,
            [.. _slow.OrderByDescending(s => s.Milliseconds).Take(5)], alive, liveness);
    }
}
