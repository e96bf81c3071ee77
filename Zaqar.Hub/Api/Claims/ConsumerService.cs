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

/// <summary>
/// The consume stream, which no Zaqar transport has: claim messages as they arrive and hand them out one by
/// one, woken by new posts rather than polling (issue #3).
/// </summary>
/// <remarks>Singleton; thread-safe (each stream's state is local to its enumerator).</remarks>
public sealed class ConsumerService(ClaimService claims, QueueActivity activity, IOptions<ZaqarOptions> options, TimeProvider time)
{
    /// <summary>
    /// Streams claimed messages until <paramref name="ct"/> is cancelled. Each claim takes up to
    /// <paramref name="batch"/> messages for <paramref name="ttl"/> seconds (claim rules and defaults apply).
    /// When the stream ends, the claims it still holds are released, so messages it handed out but the client
    /// did not delete become claimable again at once.
    /// </summary>
    public async IAsyncEnumerable<ConsumedMessageView> ConsumeAsync(
        CallContext ctx, string queue, int? ttl, int? grace, int? batch, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var held = new List<(string ClaimId, DateTime Expires)>();
        var claimTtl = ttl ?? options.Value.DefaultClaimTtl;
        var poll = TimeSpan.FromSeconds(options.Value.ConsumePollSeconds);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // Take the wake-up before looking, so a post committing in between is not missed.
                var posted = activity.Waiter(ctx.Queue(queue));
                var claim = await claims.CreateAsync(ctx, queue, ttl, grace, batch, ct);
                if (claim is null)
                {
                    try
                    {
                        await posted.WaitAsync(poll, time, ct);
                    }
                    catch (TimeoutException)
                    {
                        // Look again: delays end and other nodes post without waking us.
                    }
                    continue;
                }
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
            foreach (var (claimId, _) in held)
            {
                try
                {
                    await claims.ReleaseAsync(ctx, queue, claimId, CancellationToken.None);
                }
                catch (ZaqarException)
                {
                    // Storage is unavailable: the claim expires by itself.
                }
            }
        }
    }
}
