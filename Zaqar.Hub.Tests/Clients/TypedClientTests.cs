using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Client;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Clients.TypedClientKit;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>
/// The typed .NET client (Zaqar.Client) does the same under JSON and MessagePack (issue 11): typed records with REST's values,
/// bodies of every JSON kind and of any .NET type, claims, stats, topics, and Zaqar's errors as one exception type.
/// </summary>
public sealed class TypedClientTests(ZaqarTestServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static readonly TheoryData<string> Bodies =
    [
        """{"order":42,"items":["a","b"],"nested":{"deep":[1,2.5,null,true,false]}}""",
        """[1,"two",{"three":3},[],{}]""",
        "\"text with \\\"quotes\\\" and ünïcødé 𝄞\"",
        "12345678901234",
        "-2.5",
        "true",
        "false",
        "null",
        "{}",
    ];

    private sealed record Order(int Id, string Item, decimal Price);

    [Theory, BothClientProtocols]
    public async Task QueuesAreCreatedListedDescribedAndDeletedWithTypedResults(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);

        Assert.True(await zaqar.CreateQueueAsync("orders", new JsonObject { ["_default_message_ttl"] = 600, ["team"] = "shop" }, cancellationToken: Ct));
        Assert.False(await zaqar.CreateQueueAsync("orders", cancellationToken: Ct));
        var page = await zaqar.ListQueuesAsync(new ListQueuesOptions(Detailed: true, WithCount: true), cancellationToken: Ct);
        var changed = await zaqar.UpdateQueueMetadataAsync("orders", [new MetadataChange("replace", "team", "billing")], cancellationToken: Ct);

        Assert.Equal(["orders"], page.Queues.Select(q => q.Name));
        Assert.Equal((1L, "shop"), (page.Count!.Value, page.Queues[0].Metadata!["team"]!.GetValue<string>()));
        Assert.Equal("/v2/queues/orders", page.Queues[0].Href);
        Assert.Equal("billing", changed["team"]!.GetValue<string>());
        Assert.Equal(600, (await zaqar.GetQueueAsync("orders", cancellationToken: Ct))["_default_message_ttl"]!.GetValue<int>());
        await zaqar.DeleteQueueAsync("orders", cancellationToken: Ct);
        Assert.Empty((await zaqar.ListQueuesAsync(cancellationToken: Ct)).Queues);
    }

    [Theory, BothClientProtocols]
    public async Task BodiesOfEveryJsonKindRoundTripExactlyAndMatchRest(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);
        var bodies = Bodies.Select(b => JsonDocument.Parse(b.Data).RootElement.Clone()).ToList();

        var posted = await zaqar.PostAsync("q", bodies.Select(b => new NewMessage(b, Ttl: 300)), cancellationToken: Ct);
        var listed = await zaqar.ListMessagesAsync("q", new ListMessagesOptions(Echo: true, Limit: 20), cancellationToken: Ct);
        var overRest = (await rest.GetAsync("/v2/queues/q/messages?echo=true&limit=20")).Json!["messages"]!.AsArray();

        Assert.Equal(posted.MessageIds, listed.Messages.Select(m => m.Id));
        Assert.Equal(bodies.Select(b => Canonical(b.GetRawText())), listed.Messages.Select(m => Canonical(m.Body.GetRawText())));
        Assert.Equal(overRest.Select(m => Canonical(m!["body"])), listed.Messages.Select(m => Canonical(m.Body.GetRawText())));
        Assert.All(listed.Messages, m => Assert.Equal(300, m.Ttl));
        Assert.Equal(bodies[0].GetRawText(), (await zaqar.GetMessageAsync("q", posted.MessageIds[0], cancellationToken: Ct)).Body.GetRawText());
        Assert.Equal(2, (await zaqar.GetMessagesAsync("q", posted.MessageIds.Take(2), cancellationToken: Ct)).Count);
    }

    [Theory, BothClientProtocols]
    public async Task TypedBodiesAreWrittenAndReadWithTheBodySerializerOptions(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);

        var id = await zaqar.PostBodyAsync("shop", new Order(7, "crème brûlée", 4.5m), ttl: 120, cancellationToken: Ct);
        var message = await zaqar.GetMessageAsync("shop", id, cancellationToken: Ct);

        Assert.Equal(new Order(7, "crème brûlée", 4.5m), message.BodyAs<Order>());
        Assert.Equal("""{"id":7,"item":"crème brûlée","price":4.5}""", (await rest.GetAsync($"/v2/queues/shop/messages/{id}")).Json!["body"]!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Theory, BothClientProtocols]
    public async Task ClaimsAndStatsAreTyped(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);
        await zaqar.PostAsync("work", [NewMessage.From("one"), NewMessage.From("two"), NewMessage.From("three")], cancellationToken: Ct);

        var claim = (await zaqar.ClaimAsync("work", new ClaimOptions(Ttl: 60, Grace: 60, Limit: 2), cancellationToken: Ct))!;
        var info = await zaqar.GetClaimAsync("work", claim.ClaimId, cancellationToken: Ct);
        var stats = await zaqar.GetQueueStatsAsync("work", cancellationToken: Ct);
        await zaqar.UpdateClaimAsync("work", claim.ClaimId, ttl: 120, cancellationToken: Ct);
        var renewed = await zaqar.GetClaimAsync("work", claim.ClaimId, cancellationToken: Ct);
        await zaqar.DeleteMessageAsync("work", claim.Messages[0].Id, claim.ClaimId, cancellationToken: Ct);
        await zaqar.ReleaseClaimAsync("work", claim.ClaimId, cancellationToken: Ct);
        var popped = await zaqar.PopAsync("work", 5, cancellationToken: Ct);

        Assert.Equal(["one", "two"], claim.Messages.Select(m => m.BodyAs<string>()));
        Assert.Equal((60, 2), (info.Ttl, info.Messages.Count));
        Assert.Equal((2L, 1L, 3L), (stats.Messages.Claimed, stats.Messages.Free, stats.Messages.Total));
        Assert.Equal("one", stats.Messages.Oldest!.Body.GetString());
        Assert.Equal(120, renewed.Ttl);
        Assert.Equal(["two", "three"], popped.Select(m => m.BodyAs<string>()));
        Assert.Null(await zaqar.ClaimAsync("work", cancellationToken: Ct));
    }

    [Theory, BothClientProtocols]
    public async Task TopicsPostListPopAndPushWithTypedRecords(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);
        var pushed = new TaskCompletionSource<PushedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);

        Assert.True(await zaqar.CreateTopicAsync("news", new JsonObject { ["kind"] = "feed" }, cancellationToken: Ct));
        await using (await zaqar.SubscribeTopicAsync("news", m =>
        {
            pushed.TrySetResult(m);
            return Task.CompletedTask;
        }, Ct))
        {
            var posted = await zaqar.PostToTopicAsync("news", [NewMessage.From(new { headline = "hi" }), NewMessage.From(2)], cancellationToken: Ct);
            var first = await pushed.Task.Within();
            var listed = await zaqar.ListTopicMessagesAsync("news", new ListMessagesOptions(Echo: true), cancellationToken: Ct);
            var stats = await zaqar.GetTopicStatsAsync("news", cancellationToken: Ct);
            var topics = await zaqar.ListTopicsAsync(new ListQueuesOptions(Detailed: true), cancellationToken: Ct);

            Assert.Equal(posted.MessageIds[0], first.Id);
            Assert.Equal("""{"headline":"hi"}""", first.Body.GetRawText());
            Assert.Equal(posted.MessageIds, listed.Messages.Select(m => m.Id));
            Assert.Equal(2, stats.Messages.Total);
            Assert.Equal("feed", topics.Topics.Single().Metadata!["kind"]!.GetValue<string>());
            Assert.Equal(posted.MessageIds, (await zaqar.PopTopicAsync("news", 10, cancellationToken: Ct)).Select(m => m.Id));
        }
        await zaqar.DeleteTopicAsync("news", cancellationToken: Ct);
    }

    [Theory, BothClientProtocols]
    public async Task StoredSubscriptionsAreCreatedReadChangedConfirmedAndDeleted(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);

        var id = await zaqar.CreateSubscriptionAsync("q", new SubscriptionRequest("http://127.0.0.1:9/hook", 120, new JsonObject { ["a"] = 1 }), cancellationToken: Ct);
        await zaqar.UpdateSubscriptionAsync("q", id, new SubscriptionRequest(Ttl: 300), cancellationToken: Ct);
        await zaqar.ConfirmSubscriptionAsync("q", id, confirmed: true, cancellationToken: Ct);
        var read = await zaqar.GetSubscriptionAsync("q", id, cancellationToken: Ct);
        var listed = await zaqar.ListSubscriptionsAsync("q", cancellationToken: Ct);

        Assert.Equal((id, "http://127.0.0.1:9/hook", 300, true), (read.Id, read.Subscriber, read.Ttl, read.Confirmed));
        Assert.Equal(1, read.Options["a"]!.GetValue<int>());
        Assert.Equal(0, read.Delivery.Delivered);
        Assert.Equal([id], listed.Subscriptions.Select(s => s.Id));
        await zaqar.DeleteSubscriptionAsync("q", id, cancellationToken: Ct);
        Assert.Equal(404, (await FailsAsync(() => zaqar.GetSubscriptionAsync("q", id))).Status);
    }

    [Theory, BothClientProtocols]
    public async Task EveryErrorIsAZaqarExceptionWithRestsStatusTitleAndDescription(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var zaqar = await server.Factory.ConnectTypedAsync(protocol, rest);

        var missing = await FailsAsync(() => zaqar.GetMessageAsync("q", "0123456789abcdef01234567"));
        var tooMany = await FailsAsync(() => zaqar.ClaimAsync("q", new ClaimOptions(Limit: 100)));
        var badName = await FailsAsync(() => zaqar.CreateQueueAsync("bad~name"));
        var restTooMany = await rest.PostAsync("/v2/queues/q/claims?limit=100", new { ttl = 60 });

        Assert.Equal(404, missing.Status);
        Assert.Equal((400, restTooMany.Title, restTooMany.Description), (tooMany.Status, tooMany.Title, tooMany.Description));
        Assert.Equal(400, badName.Status);
        Assert.StartsWith("400 ", tooMany.Message, StringComparison.Ordinal);
    }

    [Theory, BothClientProtocols]
    public async Task ARefusedConnectionIsAZaqarExceptionWithItsStatus(ZaqarProtocol protocol)
    {
        using var rest = server.NewProject();

        var refused = await FailsAsync(() => server.Factory.ConnectTypedAsync(protocol, rest, o => o.ProjectId = null));

        Assert.Equal(400, refused.Status);
    }
}
