namespace Zaqar.Bench;

/// <summary>What the soak's load saw during one minute; the recorders are called from many threads.</summary>
internal sealed class SoakWindow
{
    private readonly object _gate = new();
    private readonly List<double> _post = [], _claim = [], _push = [];
    private long _posted, _claimed, _pushed, _dropped, _failed;
    private string? _firstFailure;

    public long Posted => Interlocked.Read(ref _posted);

    public long Claimed => Interlocked.Read(ref _claimed);

    public string Failures => Interlocked.Read(ref _failed) == 0 ? "none failed" : $"{Interlocked.Read(ref _failed):N0} failed (first: {_firstFailure})";

    public void RecordPost(int messages, double ms)
    {
        lock (_gate)
        {
            _posted += messages;
            _post.Add(ms);
        }
    }

    public void RecordClaim(int messages, double ms)
    {
        lock (_gate)
        {
            _claimed += messages;
            _claim.Add(ms);
        }
    }

    public void RecordPush(double lagMs)
    {
        lock (_gate)
        {
            _pushed++;
            _push.Add(lagMs);
        }
    }

    /// <summary>An operation not started because too many of its kind were still waiting for the service.</summary>
    public void RecordDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>A failed operation; the first failure's message is kept for the minute's line.</summary>
    public void RecordFailed(Exception ex)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.CompareExchange(ref _firstFailure, ex.GetType().Name + ": " + ex.Message, null);
    }

    public SoakMinute Close(int minute, TimeSpan elapsed, long rssBytes, DatabaseSample database)
    {
        lock (_gate)
        {
            var seconds = elapsed.TotalSeconds;
            double[] Sorted(List<double> l) => [.. l.Order()];
            var (post, claim, push) = (Sorted(_post), Sorted(_claim), Sorted(_push));
            return new SoakMinute(minute, _posted / seconds, _claimed / seconds, _pushed / seconds,
                LoadRunner.Percentile(post, 0.5), LoadRunner.Percentile(post, 0.99),
                LoadRunner.Percentile(claim, 0.5), LoadRunner.Percentile(claim, 0.99),
                LoadRunner.Percentile(push, 0.5), LoadRunner.Percentile(push, 0.99),
                _dropped, _failed, rssBytes, database) { FirstFailure = _firstFailure };
        }
    }
}

/// <summary>One line of the soak: a minute's rates, latencies (ms), the service's RSS and the database's sizes.</summary>
internal sealed record SoakMinute(
    int Minute, double Posted, double Claimed, double Pushed, double PostP50, double PostP99, double ClaimP50, double ClaimP99,
    double PushP50, double PushP99, long Dropped, long Failed, long RssBytes, DatabaseSample Database)
{
    public string? FirstFailure { get; init; }

    public override string ToString() =>
        $"  soak min {Minute,2}: posted {Posted,6:N0}/s, claimed+deleted {Claimed,6:N0}/s, pushed {Pushed,6:N0}/s; " +
        $"post p50/p99 {PostP50:N1}/{PostP99:N1} ms, claim+delete {ClaimP50:N1}/{ClaimP99:N1} ms, push lag {PushP50:N1}/{PushP99:N1} ms; " +
        $"service RSS {DatabaseSample.Mb(RssBytes)}" + (Dropped + Failed > 0 ? $"; dropped {Dropped:N0}, failed {Failed:N0} (first: {FirstFailure})" : "") +
        $"\n           {Database.Line()}\n           {Database.IndexLine()}";
}

/// <summary>The soak's run and its verdict per criterion of issue 14 item 7.</summary>
internal sealed record SoakResult(
    double MaxPosted, double MaxClaimed, double Rate, int Queues, int Subscribers, IReadOnlyList<SoakMinute> Minutes,
    ProcessMemory AfterWarmUp, ProcessMemory AtEnd)
{
    /// <summary>Throughput: the last minute's at least this share of the first's, for posting, claiming and pushing.</summary>
    public const double ThroughputFloor = 0.90;

    /// <summary>
    /// p99 stable: the last minute's at most this multiple of the reference, or within <see cref="P99NoiseMs"/> of it. The
    /// reference is the median of the per-minute p99s of the first half after minute 1 (minute 1 is cold: JIT, pools,
    /// empty tables; one minute alone is at the mercy of the other work on a shared machine).
    /// </summary>
    public const double P99Ceiling = 1.5;

    /// <summary>Below this difference a p99 counts as unchanged: scheduling noise on a shared 2-core machine.</summary>
    public const double P99NoiseMs = 5;

    /// <summary>Memory flat: the managed heap after a full GC at the end at most this much above the one after the first minute.</summary>
    public const long HeapMarginBytes = 16 << 20;

    /// <summary>And RSS at the end at most this share above the one after the first minute, plus <see cref="HeapMarginBytes"/>.</summary>
    public const double RssMargin = 0.10;

    /// <summary>Size bounded: a table's total size (heap, indexes, TOAST) grows at most this share in the run's second half, plus 1 MB.</summary>
    public const double SecondHalfGrowth = 0.10;

    private SoakMinute First => Minutes[0];

    private SoakMinute Last => Minutes[^1];

    /// <summary>Minutes 2 to N/2 (minute 1 alone in a run of one or two minutes).</summary>
    private IReadOnlyList<SoakMinute> Reference => Minutes.Count < 4 ? [First] : [.. Minutes.Skip(1).Take(Minutes.Count / 2 - 1)];

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }

    private SoakMinute Middle => Minutes[Minutes.Count / 2 - (Minutes.Count > 1 ? 1 : 0)];

    public IEnumerable<(string Criterion, bool Passed, string Figures)> Verdict()
    {
        (string, bool, string) Throughput(string what, double first, double last) =>
            ($"{what} last/first minute >= {ThroughputFloor:P0}", first > 0 && last >= ThroughputFloor * first, $"{last / first:P0} ({first:N0} -> {last:N0} msg/s)");
        (string, bool, string) P99(string what, Func<SoakMinute, double> p99)
        {
            var reference = Median(Reference.Select(p99));
            var last = p99(Last);
            return ($"{what} p99 last <= {P99Ceiling}x minutes {Reference[0].Minute}-{Reference[^1].Minute}' median (or +{P99NoiseMs} ms)",
                !double.IsNaN(reference) && last <= Math.Max(P99Ceiling * reference, reference + P99NoiseMs),
                $"{last / reference:P0} ({reference:N1} -> {last:N1} ms)");
        }
        yield return Throughput("posted", First.Posted, Last.Posted);
        yield return Throughput("claimed+deleted", First.Claimed, Last.Claimed);
        yield return Throughput("pushed", First.Pushed, Last.Pushed);
        yield return P99("post", m => m.PostP99);
        yield return P99("claim+delete", m => m.ClaimP99);
        yield return P99("push lag", m => m.PushP99);
        yield return ($"service heap after full GC, end <= after minute 1 + {DatabaseSample.Mb(HeapMarginBytes)}",
            AtEnd.HeapBytes <= AfterWarmUp.HeapBytes + HeapMarginBytes,
            $"{DatabaseSample.Mb(AfterWarmUp.HeapBytes)} -> {DatabaseSample.Mb(AtEnd.HeapBytes)}");
        yield return ($"service RSS, end <= after minute 1 + {RssMargin:P0} + {DatabaseSample.Mb(HeapMarginBytes)}",
            AtEnd.RssBytes <= AfterWarmUp.RssBytes * (1 + RssMargin) + HeapMarginBytes,
            $"{DatabaseSample.Mb(AfterWarmUp.RssBytes)} -> {DatabaseSample.Mb(AtEnd.RssBytes)}");
        foreach (var table in Last.Database.Tables)
        {
            var middle = Middle.Database[table.Name].TotalBytes;
            yield return ($"{table.Name} size, growth in the second half <= {SecondHalfGrowth:P0} + 1 MB",
                table.TotalBytes <= middle * (1 + SecondHalfGrowth) + (1 << 20),
                $"{DatabaseSample.Mb(middle)} -> {DatabaseSample.Mb(table.TotalBytes)} (minute {Middle.Minute} -> {Last.Minute})");
        }
        // Expired rows reclaimed: the sweeper keeps up when no more than a second's posting is overdue at the end.
        yield return ($"messages expired > {SoakDatabase.ExpiredGraceSeconds} s ago at the end <= 1 s of posting",
            Last.Database.ExpiredBacklog <= Rate, $"{Last.Database.ExpiredBacklog:N0} of {Rate:N0}");
    }

    public bool Passed => Verdict().All(v => v.Passed);

    public override string ToString() =>
        $"soak: {Minutes.Count} min at {Rate:N0} msg/s posted (half the mixed maximum of {MaxPosted:N0} posted, {MaxClaimed:N0} claimed msg/s), " +
        $"{Queues} queues, {Subscribers} subscribers; verdict {(Passed ? "FLAT" : "NOT FLAT")}:\n" +
        string.Join('\n', Verdict().Select(v => $"  {(v.Passed ? "pass" : "FAIL")}  {v.Criterion,-62} {v.Figures}"));
}
