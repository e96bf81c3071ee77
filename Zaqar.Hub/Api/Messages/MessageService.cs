using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Stores;
using Zaqar.Hub.Telemetry;

namespace Zaqar.Hub.Api;

/// <summary>
/// Posting, listing, reading and deleting messages: the rules of zaqar-v2-api.md section 3, for a queue's messages
/// and (with <see cref="QueueKind.Topic"/>) a topic's, which follow the same rules and are never claimed.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed partial class MessageService(
    MessageStore messages,
    QueueSettingsCache settingsCache,
    StorageGuard guard,
    IOptions<ZaqarOptions> options,
    TimeProvider time,
    MessageCrypto crypto,
    IEnumerable<IMessageObserver> observers)
{
    private readonly IMessageObserver[] _observers = observers.ToArray();

    private ZaqarOptions O => options.Value;

    public async Task<MessagePageView> ListAsync(
        CallContext ctx, string queue, ListMessagesRequest request, QueueKind kind, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        var limit = request.Limit ?? 10;
        CheckPageLimit(limit);
        long after = 0;
        if (request.Marker is { Length: > 0 } marker && !MessageIds.TryParse(marker, out _, out after))
        {
            throw ApiErrors.InvalidParameter("marker", "The value must be a message id.");
        }
        var now = Now();
        var query = new MessageQuery(after, limit, request.Echo ?? false, ctx.ClientId, request.IncludeClaimed ?? false, request.IncludeDelayed ?? false);
        using var activity = ZaqarTelemetry.StartOperation("messages.list", ctx.Queue(queue, kind), "receive");
        var page = await guard.Run(() => messages.ListAsync(ctx.Queue(queue, kind), query, now, ct), "Messages could not be listed.");
        var views = page.Select(m => View(queue, m.Message, now, kind)).ToList();
        var links = views.Count == 0 ? [] : Paths.Next(Paths.Messages(queue, kind), Parameters(request), views[^1].Id);
        return new MessagePageView(views, links);
    }

    public async Task<MessageView> GetAsync(
        CallContext ctx, string queue, string messageId, QueueKind kind, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        var now = Now();
        if (MessageIds.TryParse(messageId, out var id, out _))
        {
            var found = await guard.Run(() => messages.GetManyAsync(ctx.Queue(queue, kind), [id], now, ct), "Message could not be retrieved.");
            if (found.Count == 1)
            {
                return View(queue, found[0], now, kind);
            }
        }
        throw ApiErrors.NotFound($"Message {messageId} does not exist in queue {queue} for project {ctx.ProjectId}.");
    }

    public async Task<MessagesView> GetManyAsync(
        CallContext ctx, string queue, IReadOnlyList<string>? ids, QueueKind kind, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        // REST always has a list here (no "ids" parameter means a listing); a hub caller can send none.
        if (ids is null)
        {
            throw ApiErrors.MissingParameter("ids");
        }
        CheckPageLimit(ids.Count);
        var now = Now();
        var parsed = ParseIds(ids);
        var found = parsed.Count == 0
            ? []
            : await guard.Run(() => messages.GetManyAsync(ctx.Queue(queue, kind), parsed, now, ct), "Message could not be retrieved.");
        if (found.Count == 0)
        {
            throw ApiErrors.NotFound(
                $"No messages with IDs: {string.Join(",", ids)} found in the queue {queue} for project {ctx.ProjectId}.");
        }
        return new MessagesView(found.Select(m => View(queue, m, now, kind)).ToList());
    }

    /// <summary>
    /// Deletes one message; the claim rules of section 3.4 decide between 204, 400 and 403 (a topic's messages are
    /// never claimed: a claim id given for one is a claim on an unclaimed message).
    /// </summary>
    public async Task DeleteAsync(
        CallContext ctx, string queue, string messageId, string? claimId, QueueKind kind, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        if (!MessageIds.TryParse(messageId, out var id, out _))
        {
            return; // No such message: already deleted, as far as the client is concerned.
        }
        Guid? claim = null;
        var claimIsUuid = true;
        if (claimId is not null)
        {
            // A claim id that is no UUID can match nothing; Guid.Empty never names a claim.
            claimIsUuid = Guid.TryParse(claimId, out var parsed);
            claim = claimIsUuid ? parsed : Guid.Empty;
        }
        var now = Now();
        using var activity = ZaqarTelemetry.StartOperation("messages.delete", ctx.Queue(queue, kind), "settle");
        var outcome = await guard.Run(() => messages.DeleteAsync(ctx.Queue(queue, kind), id, claim, now, ct), "Message could not be deleted.");
        if (outcome.Deleted)
        {
            ZaqarTelemetry.MessagesDeleted.Add(1);
        }
        if (!outcome.Found || outcome.Deleted)
        {
            return;
        }
        if (claim is null)
        {
            throw ApiErrors.UnableToDelete(403, "This message is claimed; it cannot be deleted without a valid claim ID.");
        }
        if (!claimIsUuid)
        {
            throw ApiErrors.UnableToDelete(400, "The specified claim does not exist or has expired.");
        }
        if (outcome.LiveClaimId is null)
        {
            throw ApiErrors.UnableToDelete(400, "A claim was specified, but the message is not currently claimed.");
        }
        if (!outcome.GivenClaimIsLive)
        {
            throw ApiErrors.UnableToDelete(400, "The specified claim does not exist or has expired.");
        }
        throw ApiErrors.UnableToDelete(403, "This message is claimed; it cannot be deleted without a valid claim ID.");
    }

    /// <summary>
    /// Bulk delete by <paramref name="ids"/> (204) or pop of <paramref name="pop"/> messages (200), exactly one
    /// of the two. With <paramref name="claimIds"/> only messages held by those live claims are deleted.
    /// </summary>
    /// <remarks>
    /// A topic pops too: Zaqar's only topic store (mongodb) removes and returns the oldest messages, and with no
    /// claims on a topic that is all a queue pop does as well. It has no claim to report, and since no claim can
    /// be named on a topic, message_delete_with_claim_id does not require claim_ids there.
    /// </remarks>
    /// <returns>The popped messages for a pop; null for a delete by ids.</returns>
    public async Task<PoppedView?> DeleteManyAsync(
        CallContext ctx, string queue, IReadOnlyList<string>? ids, IReadOnlyList<string>? claimIds, int? pop,
        QueueKind kind, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        if (pop is not null && ids is not null)
        {
            throw ApiErrors.BadRequest("pop and id params cannot be present together in the delete request.");
        }
        if (pop is null && ids is null)
        {
            throw ApiErrors.BadRequest("The request should have either \"ids\" or \"pop\" parameter in the request, to be able to delete.");
        }
        var now = Now();
        using var activity = ZaqarTelemetry.StartOperation(pop is null ? "messages.delete" : "messages.pop", ctx.Queue(queue, kind), "settle");
        if (pop is { } count)
        {
            if (count < 1 || count > O.MaxMessagesPerClaimOrPop)
            {
                throw ApiErrors.BadRequest($"Pop value must be at least 1 and may not be greater than {O.MaxMessagesPerClaimOrPop}.");
            }
            // Zaqar pops a queue through a one-second claim; its id is reported with each message.
            var popClaim = kind == QueueKind.Queue ? Guid.NewGuid().ToString("D") : null;
            // Built before the removal commits (issue 10), as ClaimService.CreateAsync explains: a pop whose answer could not
            // be built used to delete its messages and answer 500.
            var view = await guard.Run(() => messages.PopAsync(ctx.Queue(queue, kind), count, now, popped => new PoppedView(popped.Select(m =>
                new PoppedMessageView(m.Id.ToString("D"), Age(m.CreatedAt, now), m.Ttl, crypto.Body(m), popClaim, popClaim is null ? null : m.ClaimCount + 1))
                .ToList()), ct), "Messages could not be popped.");
            ZaqarTelemetry.MessagesDeleted.Add(view.Messages.Count);
            return view;
        }
        if (ids!.Count < 1 || ids.Count > O.MaxMessagesPerPage)
        {
            throw ApiErrors.BadRequest($"ids parameter should have at least 1 and not greater than {O.MaxMessagesPerPage} values.");
        }
        if (O.MessageDeleteWithClaimId && kind == QueueKind.Queue && (claimIds is null || claimIds.Count == 0))
        {
            throw ApiErrors.BadRequest(
                "The request should have both \"ids\" and \"claim_ids\" parameter in the request when message_delete_with_claim_id is True.");
        }
        var parsed = ParseIds(ids);
        List<Guid>? claims = claimIds is null ? null : claimIds.Select(c => Guid.TryParse(c, out var g) ? g : Guid.Empty).ToList();
        if (parsed.Count > 0)
        {
            var deleted = await guard.Run(() => messages.DeleteManyAsync(ctx.Queue(queue, kind), parsed, claims, now, ct), "Messages could not be deleted.");
            ZaqarTelemetry.MessagesDeleted.Add(deleted);
        }
        return null;
    }

    internal MessageView View(string queue, StoredMessage m, DateTime now, QueueKind kind = QueueKind.Queue)
    {
        var id = m.Id.ToString("D");
        var body = crypto.BodyText(m);
        return new MessageView(id, Paths.ClaimedMessage(queue, id, m.ClaimId, kind), m.Ttl, Age(m.CreatedAt, now), JsonInput.ParseStored(body))
        {
            Checksum = O.EnableChecksum ? Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))) : null,
        };
    }

    internal static long Age(DateTime created, DateTime now) => Math.Max(0, (long)(now - created).TotalSeconds);

    private void CheckPageLimit(int limit)
    {
        if (limit < 1 || limit > O.MaxMessagesPerPage)
        {
            throw ApiErrors.BadRequest($"Limit must be at least 1 and may not be greater than {O.MaxMessagesPerPage}.");
        }
    }

    private static List<Guid> ParseIds(IReadOnlyList<string> ids)
    {
        var parsed = new List<Guid>(ids.Count);
        foreach (var text in ids)
        {
            if (MessageIds.TryParse(text, out var id, out _))
            {
                parsed.Add(id);
            }
        }
        return parsed;
    }

    private static IEnumerable<KeyValuePair<string, string>> Parameters(ListMessagesRequest r)
    {
        if (r.Limit is { } limit)
        {
            yield return new("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (r.Echo is { } echo)
        {
            yield return new("echo", echo ? "true" : "false");
        }
        if (r.IncludeClaimed is { } claimed)
        {
            yield return new("include_claimed", claimed ? "true" : "false");
        }
        if (r.IncludeDelayed is { } delayed)
        {
            yield return new("include_delayed", delayed ? "true" : "false");
        }
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
