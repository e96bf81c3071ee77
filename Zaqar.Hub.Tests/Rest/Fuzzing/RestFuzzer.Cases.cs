using System.Diagnostics;
using System.Net.Sockets;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>One case: sending it, checking it against the pass rule, counting it, and shrinking the first failure of each class.</summary>
public sealed partial class RestFuzzer
{
    /// <summary>What one request did: its status (0: none), a failure if it broke the pass rule, its time.</summary>
    private sealed record Outcome(int Status, FailureKind? Failure, string Detail, double Milliseconds, RequestDraft Draft, RawResponse? Response);

    private async Task<Outcome> ExecuteAsync(FuzzWorker worker, RawHttpClient client, FuzzCase fuzzCase, CancellationToken ct)
    {
        var draft = fuzzCase.Build();
        var bytes = FuzzCase.Serialize(draft, client.HostHeader);
        var oneShot = draft.Framing == Framing.Custom || draft.RawPayload is not null;
        var catalog = fuzzCase.Route.Catalog;
        if (catalog)
        {
            // Pools and flavors are shared by every project: their cases run one at a time, so their check is sound.
            await _catalogGate.WaitAsync(ct);
        }
        try
        {
            var checkStarted = Stopwatch.GetTimestamp();
            var before = catalog ? await _state.DigestAsync(worker.Token, catalog: true, ct) : worker.LastDigest ??= await _state.DigestAsync(worker.Token, false, ct);
            Interlocked.Add(ref _checkTicks, Stopwatch.GetTimestamp() - checkStarted);
            var started = Stopwatch.GetTimestamp();
            RawResponse? response = null;
            FailureKind? failure = null;
            var detail = "";
            try
            {
                // A request whose framing promises more body than it sends waits for it, by design (Kestrel answers 408
                // once the body's minimum data rate fails): a short wait for an answer, then the case is unanswered.
                var timeout = oneShot ? TimeSpan.FromTicks(Math.Min(FramingPatience.Ticks, _options.RequestTimeout.Ticks)) : _options.RequestTimeout;
                response = await client.SendAsync(bytes, oneShot, draft.Method == "HEAD", timeout, ct);
            }
            catch (TimeoutException) when (oneShot)
            {
                response = new RawResponse(0, [], "");
            }
            catch (TimeoutException ex)
            {
                (failure, detail) = (FailureKind.Timeout, ex.Message);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                (failure, detail) = (FailureKind.NoResponse, ex.Message);
            }
            catch (InvalidDataException ex)
            {
                (failure, detail) = (FailureKind.MalformedResponse, ex.Message);
            }
            var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Interlocked.Add(ref _requestTicks, Stopwatch.GetTimestamp() - started);
            var status = response?.Status ?? 0;
            var refused = status is >= 400 and < 500;
            if (status >= 500)
            {
                (failure, detail) = (FailureKind.ServerError, FuzzCase.Printable(response!.Body, 300));
            }
            // A connection closed on a request whose framing is a lie is the lie's answer (the handler may even have run, a
            // body it did not read being drained only after it); on a well-framed request it is a failure.
            else if (response is { Status: 0 } && !fuzzCase.Tags.Contains(FuzzTag.Framing))
            {
                (failure, detail) = (FailureKind.NoResponse, "connection closed without an answer");
            }
            if (refused && failure is null)
            {
                Interlocked.Increment(ref _stateChecks);
                checkStarted = Stopwatch.GetTimestamp();
                var after = await _state.DigestAsync(worker.Token, catalog, ct);
                Interlocked.Add(ref _checkTicks, Stopwatch.GetTimestamp() - checkStarted);
                if (after != before)
                {
                    (failure, detail) = (FailureKind.WrittenByRefusal,
                        $"answered {status}, but the state {await _state.DescribeChangeAsync(before, after, worker.Token, ct)}");
                }
                worker.LastDigest = catalog ? null : after;
            }
            else
            {
                worker.LastDigest = null;
            }
            return new Outcome(status, failure, detail, milliseconds, draft, response);
        }
        finally
        {
            if (catalog)
            {
                _catalogGate.Release();
            }
        }
    }

    private async Task RecordAsync(FuzzWorker worker, long index, FuzzCase fuzzCase, Outcome outcome, CancellationToken ct)
    {
        _statuses.AddOrUpdate(outcome.Status, 1, (_, n) => n + 1);
        var route = IndexOf(fuzzCase.Route);
        Interlocked.Increment(ref _routeCases[route]);
        if (outcome.Status is >= 200 and < 400)
        {
            Interlocked.Increment(ref _routeAccepted[route]);
            worker.Harvest(outcome.Response!, CaseGenerator.TargetOf(outcome.Draft.Segments));
        }
        if (outcome.Status is >= 200 and < 300)
        {
            await ProbeStoredAsync(worker, index, fuzzCase, outcome.Draft, outcome.Response!, ct);
        }
        if (outcome.Failure is null)
        {
            if (outcome.Milliseconds > 500)
            {
                _slow.Add(new SlowCase(outcome.Milliseconds, fuzzCase.Route.ToString(), outcome.Status, Labels(fuzzCase)));
            }
            return;
        }
        await RecordFailureAsync(worker, index, fuzzCase, outcome, ct);
    }

    private async Task RecordFailureAsync(FuzzWorker worker, long index, FuzzCase fuzzCase, Outcome outcome, CancellationToken ct)
    {
        var key = $"{outcome.Failure}|{fuzzCase.Route}|{outcome.Status / 100}|{fuzzCase.Area}";
        var isNew = false;
        var group = _failures.GetOrAdd(key, _ =>
        {
            isNew = true;
            return new Group(fuzzCase.Area, outcome.Failure!.Value, index, Labels(fuzzCase), "(being shrunk)") { Route = fuzzCase.Route.ToString() };
        });
        Interlocked.Increment(ref group.Count);
        if (isNew)
        {
            var (shrunk, shrunkOutcome) = await ShrinkAsync(worker, fuzzCase, outcome, ct);
            group.Area = shrunk.Area;
            group.Mutations = Labels(shrunk);
            group.Status = shrunkOutcome.Status;
            group.Reproduction = $"(seed {_options.Seed}, worker {worker.Index}) answered {(shrunkOutcome.Status == 0 ? "nothing" : shrunkOutcome.Status)}: " +
                $"{shrunkOutcome.Detail}\n{FuzzCase.Describe(shrunkOutcome.Draft)}";
        }
    }

    /// <summary>The case with as few mutations as still fail the same way (the original when none can go).</summary>
    private async Task<(FuzzCase, Outcome)> ShrinkAsync(FuzzWorker worker, FuzzCase fuzzCase, Outcome outcome, CancellationToken ct)
    {
        var (current, currentOutcome) = (fuzzCase, outcome);
        for (var i = current.Mutations.Count - 1; i >= 0; i--)
        {
            var candidate = current.Without(i);
            using var client = new RawHttpClient(_target.BaseUri);
            worker.LastDigest = null;
            var tried = await ExecuteAsync(worker, client, candidate, ct);
            if (tried.Failure == outcome.Failure && tried.Status / 100 == outcome.Status / 100)
            {
                (current, currentOutcome) = (candidate, tried);
            }
        }
        worker.LastDigest = null;
        return (current, currentOutcome);
    }

    /// <summary>A failure class being counted (mutable while the run goes; its first case's shrinking fills the rest).</summary>
    private sealed class Group(FuzzArea area, FailureKind kind, long firstCase, string mutations, string reproduction)
    {
        public int Count;

        public FuzzArea Area { get; set; } = area;

        public FailureKind Kind { get; } = kind;

        public string Route { get; set; } = "";

        public int Status { get; set; }

        public long FirstCase { get; } = firstCase;

        public string Mutations { get; set; } = mutations;

        public string Reproduction { get; set; } = reproduction;
    }
}
