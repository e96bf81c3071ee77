using System.Text;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>How a case failed the pass rule (issue 10 item 5).</summary>
public enum FailureKind
{
    /// <summary>A 5xx answer.</summary>
    ServerError,
    /// <summary>No answer within the request timeout.</summary>
    Timeout,
    /// <summary>The connection closed without an answer to a well-framed request, or could not be opened.</summary>
    NoResponse,
    /// <summary>The answer was not HTTP.</summary>
    MalformedResponse,
    /// <summary>A refused (4xx) request changed the project's state.</summary>
    WrittenByRefusal,
    /// <summary>A 5xx reading a queue an accepted mutated document was stored in: the stored value's failure.</summary>
    StoredValue,
}

/// <summary>One class of failure: its area, kind and route, how often, and the smallest request found that shows it.</summary>
public sealed record FuzzFailure(
    FuzzArea Area, FailureKind Kind, string Route, int Status, int Count, long FirstCase, string Mutations, string Reproduction);

/// <summary>A slow (but not failing) case, for the report.</summary>
public sealed record SlowCase(double Milliseconds, string Route, int Status, string Mutations);

/// <summary>The figures of a REST fuzz run.</summary>
public sealed record RestFuzzReport(
    int Seed,
    long Cases,
    int CoverageCases,
    TimeSpan Elapsed,
    int Workers,
    bool StoppedByTime,
    IReadOnlyDictionary<int, long> Statuses,
    int RoutesTotal,
    int RoutesTried,
    int RoutesAccepted,
    IReadOnlyList<string> RoutesNeverAccepted,
    long StateChecks,
    TimeSpan InRequests,
    TimeSpan InStateChecks,
    IReadOnlyList<FuzzFailure> Failures,
    IReadOnlyList<SlowCase> Slowest,
    bool Alive,
    string Liveness)
{
    public double CasesPerSecond => Cases / Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>The pass rule: no failure outside <paramref name="tolerated"/> areas, and the service still up.</summary>
    public bool Passed(params FuzzArea[] tolerated) => Alive && Failures.All(f => tolerated.Contains(f.Area));

    public IEnumerable<FuzzFailure> In(FuzzArea area) => Failures.Where(f => f.Area == area);

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"REST fuzz (seed {Seed}): {Cases:N0} cases in {Elapsed.TotalSeconds:N1} s = {CasesPerSecond:N0} cases/s, {Workers} workers" +
            (StoppedByTime ? " (stopped by the time limit)" : ""));
        text.AppendLine($"  routes: {RoutesTried}/{RoutesTotal} tried, {RoutesAccepted} served (2xx or 3xx) at least once" +
            (CoverageCases == 0 ? "" : $", with {CoverageCases:N0} valid requests after the run for routes not yet served") +
            (RoutesNeverAccepted.Count == 0 ? "" : $" (never: {string.Join(", ", RoutesNeverAccepted)})"));
        text.AppendLine("  statuses: " + string.Join("  ", Statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "none" : s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))} {s.Value:N0}")));
        text.AppendLine($"  state checks after refusals: {StateChecks:N0}; workers' time in requests {InRequests.TotalSeconds:N1} s, in state checks {InStateChecks.TotalSeconds:N1} s");
        text.AppendLine($"  service after the run: {Liveness}");
        if (Slowest.Count > 0)
        {
            text.AppendLine("  slowest cases: " + string.Join("; ", Slowest.Select(s => $"{s.Milliseconds:N0} ms {s.Status} {s.Route} [{s.Mutations}]")));
        }
        if (Failures.Count == 0)
        {
            text.AppendLine("  failures: none");
            return text.ToString();
        }
        foreach (var area in Failures.Select(f => f.Area).Distinct().Order())
        {
            var failures = In(area).ToList();
            text.AppendLine($"  failures in area {FuzzAreas.Name(area)}: {failures.Sum(f => f.Count):N0} cases in {failures.Count} classes");
            foreach (var f in failures.OrderByDescending(f => f.Count))
            {
                text.AppendLine($"  - {f.Kind} {(f.Status == 0 ? "" : f.Status + " ")}on {f.Route}: {f.Count:N0} cases, first #{f.FirstCase}; mutations: {f.Mutations}");
                foreach (var line in f.Reproduction.Split('\n'))
                {
                    text.AppendLine("      " + line);
                }
            }
        }
        return text.ToString();
    }
}
