using System.Collections.Frozen;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Data;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Sockets;

/// <summary>
/// The actions of Zaqar's websocket transport (zaqar-v2-api.md 10.2, issue 13), each a call of the common API layer (the
/// same rules, limits and errors as REST and the hub) with its answer shaped as the contract's table says. Claims and
/// subscriptions are in SocketActions.Claims.cs, the operator actions in SocketActions.Admin.cs.
/// </summary>
/// <remarks>
/// Where Zaqar's transport is broken (section 12) this one answers properly: <c>include_claimed</c> without a marker
/// works, posts keep their <c>delay</c>, listed messages carry their <c>claim_id</c>, and the actions Zaqar declares but
/// never answers are served. Singleton; thread-safe.
/// </remarks>
public sealed partial class SocketActions(
    QueueService queues,
    MessageService messages,
    ClaimService claims,
    SubscriptionService subscriptions,
    SocketSubscriptions connectionSubscriptions,
    HealthService health,
    PoolService pools,
    FlavorService flavors,
    Microsoft.Extensions.Options.IOptions<ZaqarOptions> options)
{
    // Deep enough for any value the API layer accepts (the serializer's default of 64 is not): answers must serve what was stored.
    private const int MaxDepth = 1024;

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = MaxDepth };

    // Built on first use: a field initializer can't name instance methods. Two threads building it at once is harmless.
    private FrozenDictionary<string, Func<SocketCall, Task<SocketReply>>>? _handlers;

    /// <summary>Runs an action the schema knows (authenticate excepted: the connection handles it).</summary>
    public Task<SocketReply> RunAsync(string action, SocketCall call) => Handlers[action](call);

    private FrozenDictionary<string, Func<SocketCall, Task<SocketReply>>> Handlers => _handlers ??= new Dictionary<string, Func<SocketCall, Task<SocketReply>>>
    {
        ["queue_list"] = QueueListAsync,
        ["queue_create"] = QueueCreateAsync,
        ["queue_get"] = async c => new(200, await queues.GetAsync(c.Caller, c.Queue, QueueKind.Queue, c.Ct)),
        ["queue_delete"] = async c =>
        {
            await queues.DeleteAsync(c.Caller, c.Queue, QueueKind.Queue, c.Ct);
            return SocketReply.Of(204, $"Queue {c.Queue} removed.");
        },
        ["queue_get_stats"] = QueueStatsAsync,
        ["queue_purge"] = QueuePurgeAsync,
        ["message_post"] = MessagePostAsync,
        ["message_list"] = MessageListAsync,
        ["message_get"] = async c =>
            new(200, new JsonObject { ["messages"] = Message(await messages.GetAsync(c.Caller, c.Queue, c.String("message_id")!, QueueKind.Queue, c.Ct)) }),
        ["message_get_many"] = MessageGetManyAsync,
        ["message_delete"] = async c =>
        {
            await messages.DeleteAsync(c.Caller, c.Queue, c.String("message_id")!, c.String("claim_id"), QueueKind.Queue, c.Ct);
            return SocketReply.Empty(204);
        },
        ["message_delete_many"] = MessageDeleteManyAsync,
        ["claim_create"] = ClaimCreateAsync,
        ["claim_get"] = ClaimGetAsync,
        ["claim_update"] = ClaimUpdateAsync,
        ["claim_delete"] = ClaimDeleteAsync,
        ["subscription_create"] = SubscriptionCreateAsync,
        ["subscription_list"] = SubscriptionListAsync,
        ["subscription_get"] = async c =>
            new(200, Node(await subscriptions.GetAsync(c.Caller, QueueKind.Queue, c.Queue, c.String("subscription_id")!, c.Ct))),
        ["subscription_delete"] = SubscriptionDeleteAsync,
        ["get_home_doc"] = HomeDocumentAsync,
        ["ping_node"] = PingAsync,
        ["check_node_health"] = HealthAsync,
        ["pool_list"] = PoolListAsync,
        ["pool_create"] = PoolCreateAsync,
        ["pool_get"] = c => PoolGetAsync(c, c.Bool("detailed") ?? false),
        ["pool_get_detail"] = c => PoolGetAsync(c, detailed: true),
        ["pool_update"] = PoolUpdateAsync,
        ["pool_delete"] = PoolDeleteAsync,
        ["flavor_list"] = FlavorListAsync,
        ["flavor_create"] = FlavorCreateAsync,
        ["flavor_get"] = FlavorGetAsync,
        ["flavor_update"] = FlavorUpdateAsync,
        ["flavor_delete"] = FlavorDeleteAsync,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private async Task<SocketReply> QueueListAsync(SocketCall c)
    {
        var page = await queues.ListAsync(c.Caller, new ListQueuesRequest(c.String("marker"), c.Int("limit"), c.Bool("detailed")), c.Ct);
        // Zaqar's websocket listing: names (and metadata when detailed), no hrefs, no links.
        var items = new JsonArray(page.Queues.Select(q =>
        {
            var item = new JsonObject { ["name"] = q.Name };
            if (q.Metadata is not null)
            {
                item["metadata"] = q.Metadata.DeepClone();
            }
            return (JsonNode)item;
        }).ToArray());
        return new(200, new JsonObject { ["queues"] = items });
    }

    private async Task<SocketReply> QueueCreateAsync(SocketCall c)
    {
        var created = await queues.CreateFromJsonAsync(c.Caller, c.Queue, c.Value("metadata"), QueueKind.Queue, c.Ct);
        return SocketReply.Of(created ? 201 : 204, $"Queue {c.Queue} created.");
    }

    private async Task<SocketReply> QueueStatsAsync(SocketCall c)
    {
        var stats = Node(await queues.StatsAsync(c.Caller, c.Queue, c.Ct));
        // The oldest and newest messages name their id instead of an href.
        foreach (var end in new[] { "oldest", "newest" })
        {
            if (stats["messages"]?[end] is JsonObject message && message["href"]?.GetValue<string>() is { } href)
            {
                message.Remove("href");
                message["id"] = href[(href.LastIndexOf('/') + 1)..];
            }
        }
        return new(200, stats);
    }

    private async Task<SocketReply> QueuePurgeAsync(SocketCall c)
    {
        if (c.Value("resource_types") is { } types)
        {
            await queues.PurgeJsonAsync(c.Caller, c.Queue, JsonSerializer.SerializeToElement(new { resource_types = types }, Json), QueueKind.Queue, c.Ct);
        }
        else
        {
            await queues.PurgeAsync(c.Caller, c.Queue, null, QueueKind.Queue, c.Ct);
        }
        return SocketReply.Empty(204);
    }

    private async Task<SocketReply> MessagePostAsync(SocketCall c)
    {
        // Unlike Zaqar's transport, a message's delay is kept (it applies on delayed queues, as on REST).
        var drafts = RequestBodies.Messages(c.Body, readDelay: true);
        var posted = await messages.PostAsync(c.Caller, c.Queue, drafts, QueueKind.Queue, c.Ct);
        return new(201, new JsonObject { ["message_ids"] = new JsonArray(posted.MessageIds.Select(id => (JsonNode)JsonValue.Create(id)).ToArray()) });
    }

    private async Task<SocketReply> MessageListAsync(SocketCall c)
    {
        var request = new ListMessagesRequest(c.String("marker"), c.Int("limit"), c.Bool("echo"), c.Bool("include_claimed"), c.Bool("include_delayed"));
        var page = await messages.ListAsync(c.Caller, c.Queue, request, QueueKind.Queue, c.Ct);
        return new(200, new JsonObject { ["messages"] = Messages(page.Messages) });
    }

    private async Task<SocketReply> MessageGetManyAsync(SocketCall c)
    {
        try
        {
            var found = await messages.GetManyAsync(c.Caller, c.Queue, c.Strings("message_ids"), QueueKind.Queue, c.Ct);
            return new(200, new JsonObject { ["messages"] = Messages(found.Messages) });
        }
        catch (ZaqarException ex) when (ex.Status == 404)
        {
            // Zaqar's websocket transport answers an empty list where REST answers 404.
            return new(200, new JsonObject { ["messages"] = new JsonArray() });
        }
    }

    private async Task<SocketReply> MessageDeleteManyAsync(SocketCall c)
    {
        var pop = c.Int("pop");
        var ids = c.Strings("message_ids");
        // Clients send an empty id list along with pop (Zaqar's schema wanted the key): it means "no ids".
        if (pop is not null && ids is { Count: 0 })
        {
            ids = null;
        }
        var popped = await messages.DeleteManyAsync(c.Caller, c.Queue, ids, c.Strings("claim_ids"), pop, QueueKind.Queue, c.Ct);
        return popped is null ? SocketReply.Empty(204) : new(200, Node(popped));
    }

    /// <summary>A message as Zaqar's websocket transport formats it: id, claim_id, ttl, age, body (and checksum when on).</summary>
    private static JsonObject Message(MessageView m, string? claimId = null)
    {
        const string claimQuery = "?claim_id=";
        var at = m.Href.IndexOf(claimQuery, StringComparison.Ordinal);
        var message = new JsonObject
        {
            ["id"] = m.Id,
            ["claim_id"] = claimId ?? (at < 0 ? null : m.Href[(at + claimQuery.Length)..]),
            ["ttl"] = m.Ttl,
            ["age"] = m.Age,
            ["body"] = Node(m.Body),
        };
        if (m.Checksum is not null)
        {
            message["checksum"] = m.Checksum;
        }
        return message;
    }

    private static JsonArray Messages(IEnumerable<MessageView> views, string? claimId = null) =>
        new(views.Select(m => (JsonNode)Message(m, claimId)).ToArray());

    private static JsonNode Node<T>(T view) => JsonSerializer.SerializeToNode(view, Json)!;
}
