using Zaqar.Data;
using Microsoft.Extensions.Options;
using Zaqar.Data.Stores;
using Zaqar.Hub.Telemetry;

namespace Zaqar.Hub.Api;

/// <summary>Claims: create, read, renew, release (zaqar-v2-api.md section 4).</summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class ClaimService(
    ClaimStore claims, MessageService messages, StorageGuard guard, IOptions<ZaqarOptions> options, TimeProvider time)
{
    private ZaqarOptions O => options.Value;

    /// <summary>Claims up to <paramref name="limit"/> messages; null when nothing was claimable (REST's 204).</summary>
    public async Task<ClaimCreatedView?> CreateAsync(
        CallContext ctx, string queue, int? ttl, int? grace, int? limit, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        var claimTtl = ttl ?? O.DefaultClaimTtl;
        var claimGrace = grace ?? O.DefaultClaimGrace;
        var count = limit ?? 10;
        CheckTtl(claimTtl);
        if (count < 1 || count > O.MaxMessagesPerClaimOrPop)
        {
            throw ApiErrors.BadRequest($"Limit must be at least 1 and may not be greater than {O.MaxMessagesPerClaimOrPop}.");
        }
        if (claimGrace < MessageRules.MinClaimGrace || claimGrace > O.MaxClaimGrace)
        {
            throw ApiErrors.BadRequest(
                $"The grace for a claim may not exceed {O.MaxClaimGrace} seconds, and must be at least {MessageRules.MinClaimGrace} seconds long.");
        }
        var claimId = Guid.NewGuid();
        var now = Now();
        using var activity = ZaqarTelemetry.StartOperation("claims.create", ctx.Queue(queue), "receive");
        // The answer is built by the store (issue 10): decrypting and parsing every body happens there, and a body that
        // cannot be read undoes the claim instead of hiding its messages for the ttl with no claim id given to anyone.
        // What is left to fail afterwards is only writing the answer, which cannot fail for accepted bodies:
        // AcceptableJson bounds their depth well inside every writer's limit and admits no string a writer could refuse.
        var created = await guard.Run(
            () => claims.CreateAsync(ctx.Queue(queue), claimId, claimTtl, claimGrace, count, now, claimed => claimed.Count == 0
                ? null
                : new ClaimCreatedView(claimId.ToString("D"), claimed.Select(m => messages.View(queue, m, now)).ToList()),
                deadLettered: static moved => ZaqarTelemetry.MessagesDeadLettered.Add(moved), ct),
            "Claim could not be created.");
        if (created is not null)
        {
            ZaqarTelemetry.MessagesClaimed.Add(created.Messages.Count);
        }
        return created;
    }

    public async Task<ClaimView> GetAsync(CallContext ctx, string queue, string claimId, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        var now = Now();
        if (Guid.TryParse(claimId, out var id))
        {
            var claim = await guard.Run(() => claims.GetAsync(ctx.Queue(queue), id, now, ct), "Claim could not be queried.");
            if (claim is not null)
            {
                return new ClaimView(
                    MessageService.Age(claim.CreatedAt, now), claim.Ttl,
                    claim.Messages.Select(m => messages.View(queue, m, now)).ToList(), Paths.Claim(queue, id));
            }
        }
        throw NotFound(ctx, queue, claimId);
    }

    /// <summary>Renews a live claim for <paramref name="ttl"/> more seconds (from now); 404 when unknown or expired.</summary>
    public async Task UpdateAsync(CallContext ctx, string queue, string claimId, int? ttl, int? grace, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        var claimTtl = ttl ?? O.DefaultClaimTtl;
        var claimGrace = grace ?? O.DefaultClaimGrace;
        CheckTtl(claimTtl);
        // Zaqar validates only the ttl on update; a grace below zero would shorten messages' lives, so clamp it.
        claimGrace = Math.Clamp(claimGrace, 0, O.MaxClaimGrace);
        var now = Now();
        if (Guid.TryParse(claimId, out var id) &&
            await guard.Run(() => claims.UpdateAsync(ctx.Queue(queue), id, claimTtl, claimGrace, now, ct), "Claim could not be updated."))
        {
            return;
        }
        throw NotFound(ctx, queue, claimId);
    }

    /// <summary>Releases a claim; its messages are claimable again at once. Unknown claims are not an error.</summary>
    public async Task ReleaseAsync(CallContext ctx, string queue, string claimId, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        if (Guid.TryParse(claimId, out var id))
        {
            await guard.Run(() => claims.ReleaseAsync(ctx.Queue(queue), id, ct), "Claim could not be deleted.");
        }
    }

    private void CheckTtl(int ttl)
    {
        if (ttl < MessageRules.MinClaimTtl || ttl > O.MaxClaimTtl)
        {
            throw ApiErrors.BadRequest(
                $"The TTL for a claim may not exceed {O.MaxClaimTtl} seconds, and must be at least {MessageRules.MinClaimTtl} seconds long.");
        }
    }

    private static ZaqarException NotFound(CallContext ctx, string queue, string claimId) =>
        ApiErrors.NotFound($"Claim {claimId} does not exist in queue {queue} for project {ctx.ProjectId}.");

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
