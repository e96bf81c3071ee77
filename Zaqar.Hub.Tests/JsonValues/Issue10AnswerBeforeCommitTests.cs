using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// Issue 10: no operation commits a change and then fails to answer it. Pop builds its answer (bodies decrypted and
/// parsed) inside its transaction, and a claim whose answer cannot be built is undone, so nothing is removed or claimed.
/// A service whose encryption key differs from the one that stored a queue's bodies cannot build one.
/// </summary>
[ExpectsServiceErrors("Bodies encrypted under another key: an operator error the service must log.")]
public sealed class Issue10AnswerBeforeCommitTests(ZaqarTestServer server)
{
    [Fact]
    public async Task Issue10APopWhoseAnswerCannotBeBuiltRemovesNothing()
    {
        await using var otherKey = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:MessageEncryptionKey"] = "not-the-key" });
        using var client = server.NewProject();
        using var sameProject = new ZaqarClient(otherKey.CreateClient(), client.Project, client.ClientId);
        await client.CreateQueueAsync("secret", new Dictionary<string, object> { ["_enable_encrypt_messages"] = true });
        var ids = await client.PostMessagesAsync("secret", new { n = 1 }, new { n = 2 });

        var popped = await sameProject.DeleteAsync("/v2/queues/secret/messages?pop=2");

        Assert.Equal(HttpStatusCode.InternalServerError, popped.Status);
        Assert.Equal(ids, (await client.GetAsync("/v2/queues/secret/messages?echo=true")).Ids());
        var afterwards = await client.DeleteAsync("/v2/queues/secret/messages?pop=2");
        Assert.Equal(["""{"n":1}""", """{"n":2}"""], afterwards.Json!["messages"]!.AsArray().Select(m => m!["body"]!.ToJsonString()));
    }

    [Fact]
    public async Task Issue10AClaimWhoseAnswerCannotBeBuiltClaimsNothing()
    {
        await using var otherKey = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:MessageEncryptionKey"] = "not-the-key" });
        using var client = server.NewProject();
        using var sameProject = new ZaqarClient(otherKey.CreateClient(), client.Project, client.ClientId);
        await client.CreateQueueAsync("secret", new Dictionary<string, object> { ["_enable_encrypt_messages"] = true });
        await client.PostMessagesAsync("secret", "a", "b");

        var claimed = await sameProject.PostAsync("/v2/queues/secret/claims", new { ttl = 60 });

        Assert.Equal(HttpStatusCode.InternalServerError, claimed.Status);
        var stats = (await client.GetAsync("/v2/queues/secret/stats")).Json!["messages"]!;
        Assert.Equal((0, 2), (stats["claimed"]!.GetValue<int>(), stats["free"]!.GetValue<int>()));
        var (_, messages) = await client.ClaimAsync("secret", new { ttl = 60 });
        Assert.Equal(["\"a\"", "\"b\""], messages.Select(m => m!["body"]!.ToJsonString()));
    }

    [Fact]
    public async Task Issue10AnUndoneClaimDoesNotCountTowardsDeadLettering()
    {
        await using var otherKey = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:MessageEncryptionKey"] = "not-the-key" });
        using var client = server.NewProject();
        using var sameProject = new ZaqarClient(otherKey.CreateClient(), client.Project, client.ClientId);
        await client.CreateQueueAsync("secret", new Dictionary<string, object>
        {
            ["_enable_encrypt_messages"] = true, ["_max_claim_count"] = 1, ["_dead_letter_queue"] = "dead",
        });
        await client.PostMessagesAsync("secret", "a", "b");

        var claimed = await sameProject.PostAsync("/v2/queues/secret/claims", new { ttl = 60 });

        Assert.Equal(HttpStatusCode.InternalServerError, claimed.Status);
        // Had the undone claim counted, each message would have been claimed its maximum once and would move now.
        var (_, messages) = await client.ClaimAsync("secret", new { ttl = 60 });
        Assert.Equal(["\"a\"", "\"b\""], messages.Select(m => m!["body"]!.ToJsonString()));
        Assert.Empty((await client.GetAsync("/v2/queues/dead/messages?echo=true")).Ids());
    }
}
