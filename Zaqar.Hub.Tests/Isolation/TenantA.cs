using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Security;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>
/// Project A of one isolation case: a fresh project with resources of the same names as B's (the shared queue with
/// metadata, three messages of which one is claimed, a webhook subscription; the shared topic with two messages and a
/// subscription), so every answer can be checked to hold exactly A's data.
/// </summary>
internal sealed class TenantA
{
    public const string Subscriber = "http://127.0.0.1:9/a-hook";

    private TenantA(ZaqarClient client, string? token)
    {
        Client = client;
        Token = token;
    }

    /// <summary>A's own REST client on the case's host (with A's token in JWT mode), for setup and follow-up reads.</summary>
    public ZaqarClient Client { get; }

    public string Project => Client.Project;

    /// <summary>A's bearer token (JWT mode; it has the admin role); null in no-auth mode.</summary>
    public string? Token { get; }

    public IReadOnlyList<string> MessageIds { get; private set; } = [];

    /// <summary>The first message, held by <see cref="ClaimId"/>.</summary>
    public string ClaimedId => MessageIds[0];

    public IReadOnlyList<string> FreeIds => MessageIds.Skip(1).ToList();

    public string ClaimId { get; private set; } = string.Empty;

    public IReadOnlyList<string> TopicMessageIds { get; private set; } = [];

    public string SubscriptionId { get; private set; } = string.Empty;

    public string TopicSubscriptionId { get; private set; } = string.Empty;

    /// <summary>A's pre-signed URL for its shared queue (all three paths, every method), when the case needs one.</summary>
    public JsonNode? Share { get; private set; }

    /// <param name="data">
    /// False for a caller whose every request is refused before it reaches data: A then has no resources, and ids that
    /// name nothing (a case's probe still has ids to send).
    /// </param>
    public static async Task<TenantA> CreateAsync(ZaqarFactory host, bool jwt, bool share, bool data = true)
    {
        var client = host.NewProjectClient("a-");
        string? token = null;
        if (jwt)
        {
            token = Tokens.Issue(client.Project, roles: ["admin"]);
            client.Http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        var a = new TenantA(client, token);
        static string Id() => Guid.NewGuid().ToString("D");
        (a.MessageIds, a.TopicMessageIds) = ([Id(), Id(), Id()], [Id(), Id()]);
        (a.ClaimId, a.SubscriptionId, a.TopicSubscriptionId) = (Id(), Id(), Id());
        await a.ShareAsync(share);
        if (data)
        {
            await a.PopulateAsync();
        }
        return a;
    }

    /// <summary>Creates A's resources (for an A created without them, once it turns out the case needs them).</summary>
    public async Task PopulateAsync()
    {
        var (a, client) = (this, Client);
        const string shared = TenantB.Shared;
        await Expect(HttpStatusCode.Created, client.PutAsync($"/v2/queues/{shared}", new { a_key = "a-value" }));
        await Expect(HttpStatusCode.Created, client.PutAsync($"/v2/topics/{shared}", new { a_topic_key = "a-value" }));
        a.MessageIds = await client.PostMessagesAsync(shared, "A-1", "A-2", "A-3");
        a.ClaimId = (await client.ClaimAsync(shared, new { ttl = 600 }, limit: 1)).ClaimId;
        var published = await Expect(HttpStatusCode.Created, client.PostAsync($"/v2/topics/{shared}/messages",
            new { messages = new[] { new { body = "A-T1" }, new { body = "A-T2" } } }));
        a.TopicMessageIds = published.Json!["resources"]!.AsArray().Select(r => r!.GetValue<string>().Split('/')[^1]).ToList();
        // Subscribed after posting, so these posts leave nothing in the run's shared notification outbox.
        a.SubscriptionId = await SubscribeAsync(client, "queues");
        a.TopicSubscriptionId = await SubscribeAsync(client, "topics");
    }

    private async Task ShareAsync(bool share)
    {
        if (share)
        {
            Share = (await Expect(HttpStatusCode.OK, Client.PostAsync($"/v2/queues/{TenantB.Shared}/share", new
            {
                paths = new[] { "messages", "subscriptions", "claims" },
                methods = new[] { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" },
            }))).Json;
        }
    }

    /// <summary>The URL-* headers of <see cref="Share"/>.</summary>
    public Dictionary<string, string> SignedHeaders()
    {
        var share = Share ?? throw new InvalidOperationException("A has no pre-signed URL in this case.");
        string Join(string key) => string.Join(",", share[key]!.AsArray().Select(v => v!.GetValue<string>()));
        return new Dictionary<string, string>
        {
            ["URL-Signature"] = share["signature"]!.GetValue<string>(),
            ["URL-Expires"] = share["expires"]!.GetValue<string>(),
            ["URL-Methods"] = Join("methods"),
            ["URL-Paths"] = Join("paths"),
        };
    }

    private static async Task<string> SubscribeAsync(ZaqarClient client, string collection)
    {
        var created = await Expect(HttpStatusCode.Created,
            client.PostAsync($"/v2/{collection}/{TenantB.Shared}/subscriptions", new { subscriber = Subscriber }));
        return created.Json!["subscription_id"]!.GetValue<string>();
    }

    private static async Task<ZaqarClient.Response> Expect(HttpStatusCode status, Task<ZaqarClient.Response> request)
    {
        var response = await request;
        Assert.True(response.Status == status, $"A's setup: expected {(int)status}, got {(int)response.Status}: {response.Text}");
        return response;
    }
}

/// <summary>What an answer to A must never contain.</summary>
internal static class Leaks
{
    /// <summary>
    /// Fails when <paramref name="answer"/> carries one of B's secrets (its tag, project or ids) that
    /// <paramref name="request"/> did not carry itself (an error may repeat an id A sent, which tells A nothing).
    /// </summary>
    public static void AssertNone(TenantB b, string request, string answer, string what)
    {
        var leaked = b.Secrets
            .Where(s => answer.Contains(s, StringComparison.OrdinalIgnoreCase) && !request.Contains(s, StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.True(leaked.Count == 0, $"{what} answered A with B's data ({string.Join(", ", leaked)}): {answer}");
    }

    /// <summary>
    /// Checks every answer of a case against what A had sent up to then (what A sent is A's to see again), and every push
    /// to A: none may carry B's secrets or bodies.
    /// </summary>
    public static void AssertNone(TenantB b, IEnumerable<(string Call, string Request, string Answer)> exchanges, IEnumerable<string> pushes, string caseId)
    {
        var sent = string.Empty;
        foreach (var (call, request, answer) in exchanges)
        {
            sent += request;
            AssertNone(b, sent, answer, $"{call} ({caseId})");
        }
        foreach (var push in pushes)
        {
            AssertNone(b, string.Empty, push, $"a push to A ({caseId})");
            Assert.DoesNotContain("B-", push, StringComparison.Ordinal);
        }
    }
}
