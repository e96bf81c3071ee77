using System.Net;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// Issue 10, item 3: a body nested deeper than the readers serve used to get in with 201 and poison its queue (list,
/// stats and claim answered 500, pop answered 500 after deleting, MessagePack subscribers were disconnected). Now it is
/// refused with the whole batch, and a queue's readers keep serving.
/// </summary>
public sealed class Issue10PoisonMessageTests(ZaqarTestServer server)
{
    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static string Batch(params string[] bodies) => $$"""{"messages":[{{string.Join(",", bodies.Select(b => $$"""{"body":{{b}}}"""))}}]}""";

    [Fact]
    public async Task Issue10ABatchWithABodyNested70DeepIsRefusedWholeAndPopThenServesTheQueue()
    {
        using var client = server.NewProject();

        var posted = await client.PostAsync("/v2/queues/q/messages", Batch("\"good1\"", Nested(70), "\"good2\""));
        var popped = await client.DeleteAsync("/v2/queues/q/messages?pop=2");

        posted.AssertError(HttpStatusCode.BadRequest, "Invalid request body", $"Max depth {AcceptableJson.MaxDepth}");
        Assert.Equal(HttpStatusCode.OK, popped.Status);
        Assert.Equal("""{"messages":[]}""", popped.Text);
        Assert.Equal(0, await client.TotalAsync("q"));
    }

    [Theory]
    [InlineData(33)]
    [InlineData(62)]
    [InlineData(125)]
    [InlineData(10_000)]
    public async Task Issue10BodiesNestedDeeperThanTheLimitAreRefusedWithNothingWritten(int depth)
    {
        using var client = server.NewProject();

        var posted = await client.PostAsync("/v2/queues/q/messages", Batch("\"good1\"", Nested(depth), "\"good2\""));

        posted.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "nested too deeply");
        Assert.Equal(0, await client.TotalAsync("q"));
        Assert.Equal("""{"queues":[],"links":[]}""", (await client.GetAsync("/v2/queues")).Text);
    }

    [Fact]
    public async Task Issue10ABodyAtTheDepthLimitIsServedByEveryRestReader()
    {
        using var client = server.NewProject();
        var deepest = Nested(AcceptableJson.MaxDepth);
        var ids = (await client.PostMessagesAsync("q", "good1")).Concat(await PostTextAsync(client, "q", deepest, deepest, deepest)).ToList();

        var listed = await client.GetAsync("/v2/queues/q/messages?echo=true");
        var one = await client.GetAsync($"/v2/queues/q/messages/{ids[1]}");
        var many = await client.GetAsync($"/v2/queues/q/messages?ids={string.Join(",", ids)}");
        var stats = await client.GetAsync("/v2/queues/q/stats");
        var (claimId, claimed) = await client.ClaimAsync("q", new { ttl = 60 }, limit: 2);
        var claim = await client.GetAsync($"/v2/queues/q/claims/{claimId}");
        var popped = await client.DeleteAsync("/v2/queues/q/messages?pop=2");

        Assert.Equal(["\"good1\"", deepest, deepest, deepest], Bodies(listed.Json!["messages"]));
        Assert.Equal(deepest, one.Json!["body"]!.ToJsonString());
        Assert.Equal(["\"good1\"", deepest, deepest, deepest], Bodies(many.Json!["messages"]));
        Assert.Equal(deepest, stats.Json!["messages"]!["newest"]!["body"]!.ToJsonString());
        Assert.Equal(["\"good1\"", deepest], Bodies(claimed));
        Assert.Equal(["\"good1\"", deepest], Bodies(claim.Json!["messages"]));
        Assert.Equal(HttpStatusCode.OK, popped.Status);
        Assert.Equal([deepest, deepest], Bodies(popped.Json!["messages"]));
    }

    [Theory, BothProtocols]
    public async Task Issue10AfterARefusedDeepBodyTheHubListsConsumesAndPushesToSubscribersWhoStayConnected(HubWireProtocol protocol)
    {
        using var client = server.NewProject();
        await using var hub = await HubReader.ConnectAsync(server.Factory, protocol, client);
        await hub.SubscribeAsync("q");

        var refused = await client.PostAsync("/v2/queues/q/messages", Batch("\"good1\"", Nested(70), "\"good2\""));
        var hubRefused = await hub.ErrorAsync("PostMessages", "q", new[] { new MessageArgs(HubReader.Element(Nested(40))) });
        var deepest = Nested(AcceptableJson.MaxDepth);
        await PostTextAsync(client, "q", "\"good1\"", deepest, "\"good2\"");

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(HubTestKit.RestError(refused), hubRefused);
        Assert.Equal(["\"good1\"", deepest, "\"good2\""], await hub.NextPushAsync("q"));
        Assert.Equal(["\"good1\"", deepest, "\"good2\""], await hub.ListBodiesAsync("q"));
        Assert.Equal(["\"good1\"", deepest], await hub.ConsumeBodiesAsync("q", 2));
        Assert.True(await hub.IsOpenAsync());
    }

    /// <summary>Posts bodies given as JSON text over REST; their ids.</summary>
    internal static async Task<List<string>> PostTextAsync(ZaqarClient client, string queue, params string[] bodies)
    {
        var response = await client.PostAsync($"/v2/queues/{queue}/messages", Batch(bodies));
        Assert.True(response.Status == HttpStatusCode.Created, $"post: {(int)response.Status} {response.Text}");
        return response.Json!["resources"]!.AsArray().Select(r => r!.GetValue<string>().Split('/')[^1]).ToList();
    }

    private static List<string> Bodies(System.Text.Json.Nodes.JsonNode? messages) =>
        messages!.AsArray().Select(m => m!["body"]!.ToJsonString()).ToList();
}
