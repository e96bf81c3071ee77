using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Isolation;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Sockets;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Presence;

/// <summary>
/// Presence on one node (issue 13): GetPresence on the hub and GET /v2/queues/{q}/presence count the connections
/// subscribed to a queue, list their clients for the project itself, and SubscribePresence streams joins and leaves.
/// </summary>
public sealed class PresenceTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task EachSubscribedConnectionCountsOnceAndTheProjectSeesItsClientsOnBothTransports(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        using var other = rest.AsOtherClient(server.Factory.CreateClient());
        await using var first = await server.Factory.ConnectHubAsync(protocol, rest);
        await using var second = await server.Factory.ConnectHubAsync(protocol, rest);
        await using var third = await server.Factory.ConnectHubAsync(protocol, other);
        await using var idle = await server.Factory.ConnectHubAsync(protocol, rest);

        // One connection subscribed twice over (push, and a subscription whose subscriber is the connection) counts once.
        await first.InvokeAsync("Subscribe", "orders");
        await first.InvokeAsync<JsonNode>("CreateSubscription", "orders", new { ttl = 300 });
        await second.InvokeAsync<SubscribedView>("SubscribeSince", "orders", new { since = (string?)null });
        await third.InvokeAsync("Subscribe", "orders");
        await idle.InvokeAsync("Subscribe", "elsewhere");

        var expected = Clients((rest.ClientId, 2), (other.ClientId, 1));
        var viaHub = await idle.InvokeAsync<PresenceView>("GetPresence", "orders");
        Assert.Equal(3, viaHub.Connections);
        Assert.Equal(expected, viaHub.Clients!.Select(c => (c.ClientId, c.Connections)));
        var viaRest = await rest.GetAsync("/v2/queues/orders/presence");
        Assert.Equal(HttpStatusCode.OK, viaRest.Status);
        Assert.Equal(3, viaRest.Json!["connections"]!.GetValue<int>());
        Assert.Equal(expected, viaRest.Json!["clients"]!.AsArray()
            .Select(c => (c!["client_id"]!.GetValue<string>(), c["connections"]!.GetValue<int>())));
        Assert.Null(viaRest.Json["clients_truncated"]);
    }

    [Fact]
    public async Task AConnectionStopsCountingWhenItUnsubscribesOrEnds()
    {
        using var rest = server.NewProject();
        await using var leaving = await server.Factory.ConnectHubAsync(HubWireProtocol.Json, rest);
        var ending = await server.Factory.ConnectHubAsync(HubWireProtocol.Json, rest);
        await leaving.InvokeAsync("Subscribe", "orders");
        await ending.InvokeAsync("Subscribe", "orders");
        Assert.Equal(2, await CountAsync(rest, "orders"));

        await leaving.InvokeAsync("Unsubscribe", "orders");
        await ending.DisposeAsync();

        Assert.Equal(0, await EventuallyAsync(() => CountAsync(rest, "orders"), n => n == 0));
        var empty = await rest.GetAsync("/v2/queues/orders/presence");
        Assert.Equal("""{"connections":0,"clients":[]}""", empty.Text);
    }

    [Theory, BothProtocols]
    public async Task AWatcherReceivesJoinsAndLeavesWithClientIds(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        using var other = rest.AsOtherClient(server.Factory.CreateClient());
        await using var watcher = await server.Factory.ConnectHubAsync(protocol, rest);
        using var events = new PresenceRecorder(watcher);
        await using var already = await server.Factory.ConnectHubAsync(protocol, rest);
        await already.InvokeAsync("Subscribe", "orders");

        var now = await watcher.InvokeAsync<PresenceView>("SubscribePresence", "orders");
        var joining = await server.Factory.ConnectHubAsync(protocol, other);
        await joining.InvokeAsync("Subscribe", "orders");
        await joining.InvokeAsync("Subscribe", "elsewhere");
        await joining.DisposeAsync();

        Assert.Equal(1, now.Connections);
        Assert.Equal(
            [("orders", PresenceEventView.Join, other.ClientId), ("orders", PresenceEventView.Leave, other.ClientId)],
            await events.NextAsync(2));
        await watcher.InvokeAsync("UnsubscribePresence", "orders");
        await already.InvokeAsync("Unsubscribe", "orders");
        await rest.PostMessagesAsync("orders", "a post, so the watcher's connection has had time to receive any event");
        Assert.True(events.IsEmpty);
    }

    [Fact]
    public async Task ASubscriberOfZaqarsWebsocketTransportCountsAndIsSeenJoiningAndLeaving()
    {
        using var rest = server.NewProject();
        await using var watcher = await server.Factory.ConnectHubAsync(HubWireProtocol.Json, rest);
        using var events = new PresenceRecorder(watcher);
        await watcher.InvokeAsync<PresenceView>("SubscribePresence", "orders");
        var socket = await SocketTestClient.ConnectAsync(server.Factory, rest.Project);
        var socketClient = socket.Headers["Client-ID"]!.GetValue<string>();

        Assert.Equal(201, (await socket.CallAsync("subscription_create", new { queue_name = "orders", ttl = 300 })).Status());
        Assert.Equal(201, (await socket.CallAsync("subscription_create", new { queue_name = "elsewhere", ttl = 300 })).Status());
        var counted = await CountAsync(rest, "orders");
        await socket.DisposeAsync();

        Assert.Equal(1, counted);
        Assert.Equal(
            [("orders", PresenceEventView.Join, socketClient), ("orders", PresenceEventView.Leave, socketClient)], await events.NextAsync(2));
        Assert.Equal(0, await CountAsync(rest, "orders"));
    }

    [Fact]
    public async Task ATopicHasItsOwnPresenceApartFromAQueueOfTheSameName()
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(HubWireProtocol.MessagePack, rest);
        using var events = new PresenceRecorder(hub);
        await hub.InvokeAsync<PresenceView>("SubscribeTopicPresence", "news");
        await hub.InvokeAsync("SubscribeTopic", "news");

        Assert.Equal(1, (await hub.InvokeAsync<PresenceView>("GetTopicPresence", "news")).Connections);
        Assert.Equal(0, (await hub.InvokeAsync<PresenceView>("GetPresence", "news")).Connections);
        Assert.Equal(1, (await rest.GetAsync("/v2/topics/news/presence")).Json!["connections"]!.GetValue<int>());
        Assert.Equal([("topic news", PresenceEventView.Join, rest.ClientId)], await events.NextAsync(1));
    }

    [Fact]
    public async Task AnInvalidNameIsRefusedAsEveryQueuePathRefusesIt()
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(HubWireProtocol.Json, rest);
        var restError = (await rest.GetAsync("/v2/queues/bad%20name/presence")).AssertError(HttpStatusCode.BadRequest, "Invalid queue identification");

        var hubError = await ZaqarErrorAsync(() => hub.InvokeAsync<PresenceView>("GetPresence", "bad name"));
        var watchError = await ZaqarErrorAsync(() => hub.InvokeAsync<PresenceView>("SubscribePresence", new string('q', 65)));

        Assert.Equal(RestError(restError), hubError);
        Assert.Equal((400, "Invalid queue identification"), (watchError.Status, watchError.Title));
    }

    [Fact]
    public async Task APresignedUrlForTheQueueSeesCountsButNeverClientIds()
    {
        const string secret = "presence-secret";
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["SignedUrl:SecretKey"] = secret });
        using var owner = factory.NewProject();
        await using var subscriber = await factory.ConnectHubAsync(HubWireProtocol.Json, owner);
        await subscriber.InvokeAsync("Subscribe", "shared");
        var grant = new SignedUrls(Options.Create(new SignedUrlOptions { SecretKey = secret }), TimeProvider.System)
            .Create(["/v2/queues/shared"], ["GET"], owner.Project, DateTime.UtcNow.AddHours(1));
        var headers = new Dictionary<string, string>
        {
            ["URL-Signature"] = grant.Signature, ["URL-Expires"] = grant.Expires, ["URL-Methods"] = "GET", ["URL-Paths"] = grant.Paths[0],
        };

        var request = RestTestHelpers.ValidHeaders();
        request["X-Project-ID"] = owner.Project;
        foreach (var (name, value) in headers)
        {
            request[name] = value;
        }
        var viaRest = await factory.RawAsync(HttpMethod.Get, "/v2/queues/shared/presence", request);
        await using var signed = await factory.ConnectHubAsync(
            HubWireProtocol.MessagePack, $"/hubs/queues?project_id={owner.Project}&client_id={Guid.NewGuid()}&{HubIsolationTests.SignedQuery(headers)}");
        using var events = new PresenceRecorder(signed);
        var watched = await signed.InvokeAsync<PresenceView>("SubscribePresence", "shared");
        await using var joining = await factory.ConnectHubAsync(HubWireProtocol.Json, owner);
        await joining.InvokeAsync("Subscribe", "shared");
        var otherQueue = await ZaqarErrorAsync(() => signed.InvokeAsync<PresenceView>("GetPresence", "private"));

        Assert.Equal(HttpStatusCode.OK, viaRest.Status);
        Assert.Equal("""{"connections":1}""", viaRest.Text);
        Assert.Equal(new PresenceView(1), watched);
        Assert.Equal([("shared", PresenceEventView.Join, (string?)null)], await events.NextAsync(1));
        Assert.Equal(404, otherQueue.Status);
    }

    private static async Task<int> CountAsync(ZaqarClient rest, string queue) =>
        (await rest.GetAsync($"/v2/queues/{queue}/presence")).Json!["connections"]!.GetValue<int>();

    private static IEnumerable<(string, int)> Clients(params (string ClientId, int Connections)[] clients) =>
        clients.OrderBy(c => c.ClientId, StringComparer.Ordinal);
}
