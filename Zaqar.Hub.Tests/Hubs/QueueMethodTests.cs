using System.Net;
using System.Text.Json.Nodes;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>The hub's queue methods, each answering what REST answers for the same operation.</summary>
public sealed class QueueMethodTests(ZaqarTestServer server)
{
    [Theory, BothProtocols]
    public async Task CreateQueueSaysWhetherItCreatedAndGetQueueMatchesRest(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);

        var metadataIn = new { color = "blue", _default_message_ttl = 120 };
        Assert.True((await hub.InvokeAsync<QueueCreatedView>("CreateQueue", "orders", metadataIn)).Created);
        Assert.False((await hub.InvokeAsync<QueueCreatedView>("CreateQueue", "orders", null)).Created);

        Assert.Equal(HttpStatusCode.NoContent, (await rest.PutAsync("/v2/queues/orders")).Status);
        var metadata = await hub.InvokeAsync<JsonNode>("GetQueue", "orders");
        Assert.Equal("blue", metadata["color"]!.GetValue<string>());
        Assert.Equal(Canonical((await rest.GetAsync("/v2/queues/orders")).Json), Canonical(metadata));
    }

    [Theory, BothProtocols]
    public async Task UpdateQueueMetadataAppliesJsonPatchAsRestDoes(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        await hub.InvokeAsync("CreateQueue", "hub", new { color = "blue", size = 1 });
        await rest.PutAsync("/v2/queues/rest", new { color = "blue", size = 1 });
        object[] patch =
        [
            new { op = "replace", path = "/metadata/color", value = "red" },
            new { op = "remove", path = "/metadata/size" },
            new { op = "add", path = "/metadata/tags", value = new[] { "a", "b" } },
        ];

        var patched = await hub.InvokeAsync<JsonNode>("UpdateQueueMetadata", "hub", patch);

        Assert.Equal("red", patched["color"]!.GetValue<string>());
        Assert.Null(patched["size"]);
        Assert.Equal(Canonical((await rest.PatchAsync("/v2/queues/rest", patch)).Json), Canonical(patched));
        var read = await hub.InvokeAsync<JsonNode>("GetQueue", "hub");
        Assert.Equal(Canonical((await rest.GetAsync("/v2/queues/hub")).Json), Canonical(read));
    }

    [Theory, BothProtocols]
    public async Task ListQueuesPagesWithRestsLinksCountsAndMetadata(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        await hub.InvokeAsync("CreateQueue", "alpha", new { color = "blue" });
        await hub.InvokeAsync("CreateQueue", "beta", null);

        var page = await hub.InvokeAsync<JsonNode>("ListQueues", new ListQueuesArgs(Limit: 1, Detailed: true, WithCount: true));
        var restPage = (await rest.GetAsync("/v2/queues?limit=1&detailed=true&with_count=true")).Json;

        Assert.Equal(Canonical(restPage), Canonical(page));
        Assert.Equal("alpha", page["queues"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(2, page["count"]!.GetValue<int>());
        var next = await hub.InvokeAsync<JsonNode>("ListQueues", new ListQueuesArgs(Marker: "alpha"));
        Assert.Equal(Canonical((await rest.GetAsync("/v2/queues?marker=alpha")).Json), Canonical(next));
        Assert.Equal("beta", Assert.Single(next["queues"]!.AsArray())!["name"]!.GetValue<string>());
        var all = await hub.InvokeAsync<JsonNode>("ListQueues", (object?)null);
        Assert.Equal(Canonical((await rest.GetAsync("/v2/queues")).Json), Canonical(all));
    }

    [Theory, BothProtocols]
    public async Task StatsPurgeAndDeleteActOnTheQueueRestSees(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        await rest.PostMessagesAsync("q", "one", "two");
        await rest.ClaimAsync("q", limit: 1);

        var stats = await hub.InvokeAsync<JsonNode>("GetQueueStats", "q");
        Assert.Equal(Canonical((await rest.GetAsync("/v2/queues/q/stats")).Json, "age"), Canonical(stats, "age"));
        Assert.Equal(1, stats["messages"]!["claimed"]!.GetValue<int>());

        await hub.InvokeAsync("PurgeQueue", "q", new[] { "messages" });
        Assert.Equal(0, (await rest.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<int>());

        await hub.InvokeAsync("DeleteQueue", "q");
        Assert.Empty((await rest.GetAsync("/v2/queues")).Json!["queues"]!.AsArray());
        Assert.Empty((await hub.InvokeAsync<JsonNode>("ListQueues", (object?)null))["queues"]!.AsArray());
    }
}
