using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api;

/// <summary>A message handed out by a consume stream, with the claim that holds it (delete it with that claim id).</summary>
public sealed record ConsumedMessageView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("claim_id")] string ClaimId,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("age")] long Age,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("href")] string Href);

/// <summary>What the consume streams did when the node stopped (issue 15): streams ended, claims released.</summary>
public readonly record struct ConsumeStopReport(int StreamsEnded, int ClaimsReleased);

/// <summary>
/// The consume stream, which no Zaqar transport has: claim messages as they arrive and hand them out one by
/// one, woken by new posts rather than polling (issue #3). A stopping node ends its streams at once (issue 15), releasing
/// their claims, so their messages go to consumers on other nodes now rather than when the claims expire.
/// </summary>
/// <remarks>Singleton; thread-safe (each stream's state is local to its enumerator).</remarks>
public sealed class ConsumerService(
    ClaimService claims, QueueActivity activity, IOptions<ZaqarOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
{
    // Each running stream, completed once it has released its claims: a stopping node waits for them before its database goes.
    private readonly ConcurrentDictionary<object, Task> _running = new();
    private int _endedByStop;
    private int _releasedByStop;

    /// <summary>
    /// Streams claimed messages until <paramref name="ct"/> is cancelled. Each claim takes up to
    /// <paramref name="batch"/> messages for <paramref name="ttl"/> seconds (claim rules and defaults apply).
    /// When the stream ends, the claims it still holds are released, so messages it handed out but the client
    /// did not delete become claimable again at once. When the node stops, the stream ends with a 503 (consume again,
    /// from another node).
    /// </summary>
    public async IAsyncEnumerable<ConsumedMessageView> ConsumeAsync(
        CallContext ctx, string queue, int? ttl, int? grace, int? batch, [EnumeratorCancellation] CancellationToken ct)
    {
        var held = new List<(string ClaimId, DateTime Expires)>();
        var claimTtl = ttl ?? options.Value.DefaultClaimTtl;
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _running[ended] = ended.Task;
        using var streaming = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        try
        {
            while (await NextClaimAsync(ctx, queue, ttl, grace, batch, ct, streaming.Token) is { } claim)
            {
                var now = time.GetUtcNow().UtcDateTime;
                held.RemoveAll(h => h.Expires <= now);
                held.Add((claim.ClaimId, now.AddSeconds(claimTtl)));
                foreach (var m in claim.Messages)
                {
                    yield return new ConsumedMessageView(m.Id, claim.ClaimId, m.Ttl, m.Age, m.Body, m.Href);
                }
            }
        }
        finally
        {
            var released = await ReleaseAsync(ctx, queue, held);
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                Interlocked.Increment(ref _endedByStop);
                Interlocked.Add(ref _releasedByStop, released);
            }
            _running.TryRemove(ended, out _);
            ended.TrySetResult();
        }
        throw ApiErrors.Unavailable("The server is shutting down: consume again, from another node.");
    }

    /// <summary>Waits until every stream has ended and released its claims (the node is stopping), then says what they did.</summary>
    public async Task<ConsumeStopReport> StreamsEndedAsync(CancellationToken ct)
    {
        await Task.WhenAll(_running.Values).WaitAsync(ct);
        return new ConsumeStopReport(Volatile.Read(ref _endedByStop), Volatile.Read(ref _releasedByStop));
    }

    /// <summary>The next claim with messages; null when the node is stopping (the caller's own cancellation throws).</summary>
    private async Task<ClaimCreatedView?> NextClaimAsync(
        CallContext ctx, string queue, int? ttl, int? grace, int? batch, CancellationToken ct, CancellationToken streaming)
    {
        var poll = TimeSpan.FromSeconds(options.Value.ConsumePollSeconds);
        try
        {
            while (true)
            {
                streaming.ThrowIfCancellationRequested();
                // Take the wake-up before looking, so a post committing in between is not missed.
                var posted = activity.Waiter(ctx.Queue(queue));
                if (await claims.CreateAsync(ctx, queue, ttl, grace, batch, streaming) is { } claim)
                {
                    return claim;
                }
                try
                {
                    await posted.WaitAsync(poll, time, streaming);
                }
                catch (TimeoutException)
                {
                    // Look again: delays end and other nodes post without waking us.
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && streaming.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<int> ReleaseAsync(CallContext ctx, string queue, List<(string ClaimId, DateTime Expires)> held)
    {
        var released = 0;
        foreach (var (claimId, _) in held)
        {
            try
            {
                await claims.ReleaseAsync(ctx, queue, claimId, CancellationToken.None);
                released++;
            }
            catch (ZaqarException)
            {
                // Storage is unavailable: the claim expires by itself.
            }
        }
        return released;
    }
}
