using System.Text.Json.Nodes;
using Zaqar.Data;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Sockets;

// Claims and subscriptions (zaqar-v2-api.md 10.2 and 10.4): REST's rules, Zaqar's websocket answers.
public sealed partial class SocketActions
{
    private async Task<SocketReply> ClaimCreateAsync(SocketCall c)
    {
        var claim = await claims.CreateAsync(c.Caller, c.Queue, c.Int("ttl"), c.Int("grace"), c.Int("limit"), c.Ct);
        if (claim is null)
        {
            // Nothing was claimable: no claim exists (Zaqar's store makes an empty one and names it).
            return new(204, new JsonObject { ["claim_id"] = null });
        }
        return new(201, new JsonObject { ["claim_id"] = claim.ClaimId, ["messages"] = Messages(claim.Messages, claim.ClaimId) });
    }

    private async Task<SocketReply> ClaimGetAsync(SocketCall c)
    {
        var claimId = c.String("claim_id")!;
        var claim = await claims.GetAsync(c.Caller, c.Queue, claimId, c.Ct);
        return new(200, new JsonObject { ["age"] = claim.Age, ["ttl"] = claim.Ttl, ["messages"] = Messages(claim.Messages, claimId) });
    }

    private async Task<SocketReply> ClaimUpdateAsync(SocketCall c)
    {
        var claimId = c.String("claim_id")!;
        await claims.UpdateAsync(c.Caller, c.Queue, claimId, c.Int("ttl"), c.Int("grace"), c.Ct);
        return SocketReply.Of(204, $"Claim {claimId} updated.");
    }

    private async Task<SocketReply> ClaimDeleteAsync(SocketCall c)
    {
        var claimId = c.String("claim_id")!;
        await claims.ReleaseAsync(c.Caller, c.Queue, claimId, c.Ct);
        return SocketReply.Of(204, $"Claim {claimId} deleted.");
    }

    /// <summary>
    /// A webhook or mailto subscription; without a subscriber (absent, null or empty, as Zaqar reads it) the connection
    /// itself, which then receives the queue's new messages as push frames until the subscription or the connection ends.
    /// </summary>
    private async Task<SocketReply> SubscriptionCreateAsync(SocketCall c)
    {
        try
        {
            var subscriber = c.String("subscriber");
            var created = string.IsNullOrEmpty(subscriber)
                ? await connectionSubscriptions.CreateAsync(c.Connection, c.Caller, c.Queue, c.Int("ttl"), c.Value("options"), c.Frame.Binary, c.Ct)
                : await subscriptions.CreateAsync(
                    c.Caller, QueueKind.Queue, c.Queue, SubscriptionRules.FromParts(subscriber, c.Int("ttl"), c.Value("options")), c.Ct);
            return new(201, new JsonObject { ["subscription_id"] = created.SubscriptionId, ["message"] = $"Subscription {c.Queue} created." });
        }
        catch (ZaqarException ex) when (ex.Status == 409)
        {
            return SocketReply.Of(409, $"Subscription {c.Queue} not created.");
        }
    }

    private async Task<SocketReply> SubscriptionListAsync(SocketCall c)
    {
        var page = await subscriptions.ListAsync(
            c.Caller, QueueKind.Queue, c.Queue, new ListSubscriptionsRequest(c.String("marker"), c.Int("limit")), c.Ct);
        return new(200, new JsonObject { ["subscriptions"] = Node(page.Subscriptions) });
    }

    private async Task<SocketReply> SubscriptionDeleteAsync(SocketCall c)
    {
        var subscriptionId = c.String("subscription_id")!;
        await subscriptions.DeleteAsync(c.Caller, QueueKind.Queue, c.Queue, subscriptionId, c.Ct);
        return SocketReply.Of(204, $"Subscription {subscriptionId} removed.");
    }
}
