using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>The hub's message methods, each answering what REST answers for the same operation.</summary>
public sealed class MessageMethodTests(ZaqarTestServer server)
{
    private static MessageArgs Message(object body, int? ttl = null) => new(JsonSerializer.SerializeToElement(body), ttl);

    [Theory, BothProtocols]
    public async Task PostMessagesReturnsIdsAndRestsResourcePaths(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);

        var posted = await hub.InvokeAsync<PostedView>("PostMessages", "q", new[] { Message(new { a = 1 }, ttl: 300), Message("two") });

        Assert.Equal(2, posted.MessageIds.Count);
        Assert.Equal(posted.MessageIds.Select(id => $"/v2/queues/q/messages/{id}"), posted.Resources);
        var restPost = await rest.PostAsync("/v2/queues/q/messages", new { messages = new[] { new { body = 3 } } });
        Assert.Equal(
            [.. restPost.Json!.AsObject().Select(p => p.Key)],
            [.. JsonSerializer.SerializeToNode(posted)!.AsObject().Select(p => p.Key).Where(k => k != "message_ids")]);
        var listed = (await rest.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray();
        var restId = restPost.Json!["resources"]![0]!.GetValue<string>().Split('/')[^1];
        Assert.Equal([.. posted.MessageIds, restId], listed.Select(m => m!["id"]!.GetValue<string>()));
        Assert.Equal(300, listed[0]!["ttl"]!.GetValue<int>());
    }

    [Theory, BothProtocols]
    public async Task ListAndGetMessagesMatchRest(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        var ids = await rest.PostMessagesAsync("q", new { a = 1 }, "two", new[] { 3 });

        var page = await hub.InvokeAsync<JsonNode>("ListMessages", "q", new ListMessagesArgs(Echo: true, Limit: 2));
        Assert.Equal(Canonical((await rest.GetAsync("/v2/queues/q/messages?echo=true&limit=2")).Json, "age"), Canonical(page, "age"));
        Assert.Equal(2, page["messages"]!.AsArray().Count);
        Assert.Empty((await hub.InvokeAsync<JsonNode>("ListMessages", "q", null))["messages"]!.AsArray());

        var one = await hub.InvokeAsync<JsonNode>("GetMessage", "q", ids[2]);
        Assert.Equal(Canonical((await rest.GetAsync($"/v2/queues/q/messages/{ids[2]}")).Json, "age"), Canonical(one, "age"));

        var many = await hub.InvokeAsync<JsonNode>("GetMessages", "q", new[] { ids[0], ids[1] });
        Assert.Equal(Canonical((await rest.GetAsync($"/v2/queues/q/messages?ids={ids[0]},{ids[1]}")).Json, "age"), Canonical(many, "age"));
    }

    [Theory, BothProtocols]
    public async Task DeleteMessageAndDeleteMessagesRemoveWhatRestThenMisses(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        var ids = await rest.PostMessagesAsync("q", 1, 2, 3);

        await hub.InvokeAsync("DeleteMessage", "q", ids[0], null);
        await hub.InvokeAsync("DeleteMessages", "q", new[] { ids[1] }, null);

        Assert.Equal(HttpStatusCode.NotFound, (await rest.GetAsync($"/v2/queues/q/messages/{ids[0]}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await rest.GetAsync($"/v2/queues/q/messages/{ids[1]}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync($"/v2/queues/q/messages/{ids[2]}")).Status);
    }

    [Theory, BothProtocols]
    public async Task PopMessagesReturnsRestsPopShape(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        await rest.PostMessagesAsync("hub", new { a = 1 }, "b");
        await rest.PostMessagesAsync("rest", new { a = 1 }, "b");

        var popped = await hub.InvokeAsync<JsonNode>("PopMessages", "hub", 5);
        var restPopped = (await rest.DeleteAsync("/v2/queues/rest/messages?pop=5")).Json;

        Assert.Equal(Canonical(restPopped, "id", "age", "claim_id"), Canonical(popped, "id", "age", "claim_id"));
        Assert.Equal(0, (await rest.GetAsync("/v2/queues/hub/stats")).Json!["messages"]!["total"]!.GetValue<int>());
    }

    [Theory, BothProtocols]
    public async Task TypedResultsBindOverEitherProtocol(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        var ids = await rest.PostMessagesAsync("q", new { a = 1 });

        var page = await hub.InvokeAsync<MessagePageView>("ListMessages", "q", new ListMessagesArgs(Echo: true));

        var message = Assert.Single(page.Messages);
        Assert.Equal(ids[0], message.Id);
        Assert.Equal("""{"a":1}""", message.Body.GetRawText());
        Assert.Equal($"/v2/queues/q/messages/{ids[0]}", message.Href);
        Assert.Equal(3600, message.Ttl);
    }
}
