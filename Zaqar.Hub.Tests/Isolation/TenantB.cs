using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>
/// Project B of the isolation matrix (issue #6): a queue and a topic named as project A's (<see cref="Shared"/>), a
/// queue only B has, metadata, messages (some held by a live claim), webhook subscriptions that nobody listens to, and
/// the ids of all of it, for A to name. Every piece of B's text carries <see cref="Tag"/>, so a response that contains
/// the tag (or one of B's ids) that A's request did not contain has leaked B's data.
/// </summary>
internal sealed class TenantB
{
    /// <summary>The queue and topic name both projects use.</summary>
    public const string Shared = "shared";

    private TenantB(ZaqarClient client, string tag)
    {
        Client = client;
        Tag = tag;
    }

    /// <summary>B's own REST client (its headers, or its token in JWT mode).</summary>
    public ZaqarClient Client { get; }

    public string Project => Client.Project;

    /// <summary>In every key, value, body, name and URL of B's.</summary>
    public string Tag { get; }

    /// <summary>A queue name only B has.</summary>
    public string OnlyQueue => "b-only-" + Tag;

    public string MetadataKey => "b_key_" + Tag;

    public string MetadataValue => "b-value-" + Tag;

    public string TopicMetadataKey => "b_topic_key_" + Tag;

    /// <summary>The webhook of B's subscriptions (a port nobody listens on; delivery is off anyway).</summary>
    public string Subscriber => $"http://127.0.0.1:9/b-hook-{Tag}";

    /// <summary>B's queue messages in order: the first two are claimed by <see cref="ClaimId"/>.</summary>
    public IReadOnlyList<string> MessageIds { get; private set; } = [];

    public IReadOnlyList<string> ClaimedIds => MessageIds.Take(2).ToList();

    public IReadOnlyList<string> FreeIds => MessageIds.Skip(2).ToList();

    public string ClaimId { get; private set; } = string.Empty;

    public IReadOnlyList<string> TopicMessageIds { get; private set; } = [];

    public string QueueSubscriptionId { get; private set; } = string.Empty;

    public string TopicSubscriptionId { get; private set; } = string.Empty;

    /// <summary>B's hub-connection subscription of the shared queue (when B holds a hub connection).</summary>
    public string? HubSubscriptionId { get; set; }

    /// <summary>Every id of B's that A could only have learned by a leak (unless A's request named it).</summary>
    public IEnumerable<string> Ids =>
        MessageIds.Concat(TopicMessageIds).Append(ClaimId).Append(QueueSubscriptionId).Append(TopicSubscriptionId)
            .Concat(HubSubscriptionId is null ? [] : [HubSubscriptionId]);

    /// <summary>Strings that must never appear in an answer to A unless A's own request carried them.</summary>
    public IEnumerable<string> Secrets => Ids.Append(Tag).Append(Project);

    /// <summary>Builds B's state through B's REST client.</summary>
    public static async Task<TenantB> CreateAsync(ZaqarClient client)
    {
        var b = new TenantB(client, "bsec" + Guid.NewGuid().ToString("N")[..10]);
        await b.Expect(HttpStatusCode.Created, client.PutAsync($"/v2/queues/{Shared}", new Dictionary<string, object>
        {
            [b.MetadataKey] = b.MetadataValue,
            ["_max_claim_count"] = 50,
        }));
        await b.Expect(HttpStatusCode.Created,
            client.PutAsync($"/v2/topics/{Shared}", new Dictionary<string, object> { [b.TopicMetadataKey] = b.MetadataValue }));
        await b.Expect(HttpStatusCode.Created,
            client.PutAsync($"/v2/queues/{b.OnlyQueue}", new Dictionary<string, object> { [b.MetadataKey] = 1 }));
        var posted = await b.Expect(HttpStatusCode.Created, client.PostAsync($"/v2/queues/{Shared}/messages",
            new { messages = Enumerable.Range(1, 5).Select(i => new { body = new { secret = $"B-BODY-{b.Tag}-{i}" }, ttl = 3600 }) }));
        b.MessageIds = Resources(posted);
        var claim = await b.Expect(HttpStatusCode.Created,
            client.PostAsync($"/v2/queues/{Shared}/claims?limit=2", new { ttl = 3600, grace = 60 }));
        b.ClaimId = claim.Location!.Split('/')[^1];
        Assert.Equal(b.ClaimedIds, claim.Ids());
        var published = await b.Expect(HttpStatusCode.Created, client.PostAsync($"/v2/topics/{Shared}/messages",
            new { messages = Enumerable.Range(1, 3).Select(i => new { body = $"B-TOPIC-{b.Tag}-{i}", ttl = 3600 }) }));
        b.TopicMessageIds = Resources(published);
        // Subscribed after posting, so B has nothing in the notification outbox: the outbox is shared by the run, and the
        // dispatchers of the delivery tests work on every project's rows. A post of A's must add none for B's subscribers.
        b.QueueSubscriptionId = await b.SubscribeAsync("queues");
        b.TopicSubscriptionId = await b.SubscribeAsync("topics");
        return b;
    }

    /// <summary>
    /// B's whole state as stored, read by SQL: every queue and topic row (metadata, position counter), message (body,
    /// ttl, expiry, claim, claim count), claim, subscription (with its delivery counts) and pending notification of
    /// project B. Exact: a renewed claim or a message claimed and released again shows. (B has no notifications, so
    /// the delivery tests' dispatchers, which lease every project's, leave it alone; one that appears is A's doing.)
    /// </summary>
    public async Task<string> StoredAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(
            """
            SELECT json_build_object(
              'queues', (SELECT json_agg(json_build_object('kind', kind, 'name', name, 'metadata', metadata, 'last_seq', last_seq,
                                                           'created', created_at) ORDER BY kind, name)
                         FROM queues WHERE project = @p),
              'messages', (SELECT json_agg(json_build_object('queue', q.kind || ':' || q.name, 'seq', m.seq, 'id', m.id, 'body', m.body,
                                                             'ttl', m.ttl, 'expires', m.expires_at, 'visible', m.visible_at,
                                                             'claim', m.claim_id, 'claim_expires', m.claim_expires_at,
                                                             'claims', m.claim_count, 'client', m.client_id) ORDER BY q.kind, q.name, m.seq)
                           FROM messages m JOIN queues q ON q.id = m.queue_id WHERE q.project = @p),
              'claims', (SELECT json_agg(json_build_object('id', c.id, 'queue', q.kind || ':' || q.name, 'ttl', c.ttl, 'grace', c.grace,
                                                           'expires', c.expires_at) ORDER BY c.id)
                         FROM claims c JOIN queues q ON q.id = c.queue_id WHERE q.project = @p),
              'subscriptions', (SELECT json_agg(json_build_object('id', id, 'source', kind || ':' || queue_name, 'subscriber', subscriber,
                                                                  'ttl', ttl, 'options', options, 'confirmed', confirmed,
                                                                  'expires', expires_at, 'delivered', delivered_count,
                                                                  'failed', failed_count) ORDER BY id)
                                FROM subscriptions WHERE project = @p),
              'notifications', (SELECT json_agg(json_build_object('subscription', n.subscription_id, 'kind', n.kind,
                                                                  'message', n.message_id, 'body', n.body)
                                                ORDER BY n.id)
                                FROM notifications n JOIN subscriptions s ON s.id = n.subscription_id WHERE s.project = @p))::text
            """, connection);
        cmd.Parameters.AddWithValue("p", Project);
        return (string)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>
    /// B's state as B's own REST calls show it (ages left out): queue and topic listings, metadata, stats, messages
    /// (claimed ones included), the claim, subscriptions.
    /// </summary>
    public async Task<string> ViewAsync()
    {
        string[] paths =
        [
            "/v2/queues?detailed=true&with_count=true",
            $"/v2/queues/{Shared}",
            $"/v2/queues/{OnlyQueue}",
            $"/v2/queues/{Shared}/stats",
            $"/v2/queues/{Shared}/messages?echo=true&include_claimed=true&limit=20",
            $"/v2/queues/{Shared}/claims/{ClaimId}",
            $"/v2/queues/{Shared}/subscriptions",
            "/v2/topics?detailed=true&with_count=true",
            $"/v2/topics/{Shared}",
            $"/v2/topics/{Shared}/stats",
            $"/v2/topics/{Shared}/messages?echo=true&limit=20",
            $"/v2/topics/{Shared}/subscriptions",
        ];
        var view = new JsonObject();
        foreach (var path in paths)
        {
            var response = await Client.GetAsync(path);
            Assert.True(response.Status == HttpStatusCode.OK, $"B's own read {path}: {(int)response.Status} {response.Text}");
            view[path] = JsonNode.Parse(Hubs.HubTestKit.Canonical(response.Json, "age"));
        }
        return view.ToJsonString();
    }

    private async Task<string> SubscribeAsync(string collection)
    {
        var created = await Expect(HttpStatusCode.Created,
            Client.PostAsync($"/v2/{collection}/{Shared}/subscriptions",
                new { subscriber = Subscriber, ttl = 3600, options = new { tag = Tag } }));
        return created.Json!["subscription_id"]!.GetValue<string>();
    }

    private async Task<ZaqarClient.Response> Expect(HttpStatusCode status, Task<ZaqarClient.Response> request)
    {
        var response = await request;
        Assert.True(response.Status == status, $"B's setup: expected {(int)status}, got {(int)response.Status}: {response.Text}");
        return response;
    }

    private static List<string> Resources(ZaqarClient.Response posted) =>
        posted.Json!["resources"]!.AsArray().Select(r => r!.GetValue<string>().Split('/')[^1]).ToList();
}
