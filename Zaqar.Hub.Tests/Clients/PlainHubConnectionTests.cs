using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>
/// What a .NET user of the plain official client (HubConnectionBuilder, SignalR's own serializer settings) sees (issue 11):
/// System.Text.Json bodies over MessagePack are refused with the way out rather than stored as <c>{}</c>; with Zaqar's
/// formatters, or over JSON, they round-trip; results bind into records that name REST's keys.
/// </summary>
public sealed class PlainHubConnectionTests(ZaqarTestServer server)
{
    private static readonly JsonElement Element = JsonDocument.Parse("""{"order":42,"tags":["a"]}""").RootElement.Clone();

    /// <summary>A result record as a new user writes it: PascalCase members, no JSON names.</summary>
    public sealed record PlainPosted(IReadOnlyList<string>? MessageIds);

    /// <summary>The same with REST's keys named.</summary>
    public sealed record NamedPosted([property: JsonPropertyName("message_ids")] IReadOnlyList<string> MessageIds);

    public sealed record PlainCreated(bool Created);

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task OverMessagePackWithoutZaqarsFormattersAJsonElementBodyIsRefusedNotStoredAsAnEmptyObject(HttpTransportType transport)
    {
        using var rest = server.Kestrel.NewProject();
        await using var hub = await PlainAsync(HubWireProtocol.MessagePack, rest, transport);

        var refused = await ZaqarErrorAsync(() => hub.InvokeAsync("PostMessages", "q", new[] { new { body = Element } }));

        Assert.Equal((400, "Invalid request body"), (refused.Status, refused.Title));
        Assert.Contains("AddZaqarMessagePackProtocol", refused.Description, StringComparison.Ordinal);
        Assert.Equal(0, (await rest.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task OverMessagePackWithoutZaqarsFormattersAJsonNodeBodyOrMetadataIsRefused()
    {
        using var rest = server.Kestrel.NewProject();
        await using var hub = await PlainAsync(HubWireProtocol.MessagePack, rest);

        var body = await ZaqarErrorAsync(() => hub.InvokeAsync("PostMessages", "q", new[] { new { body = (object)JsonNode.Parse("[1]")! } }));
        var metadata = await ZaqarErrorAsync(() => hub.InvokeAsync("CreateQueue", "q", Element));

        Assert.Contains("""{"Options":null}""", body.Description, StringComparison.Ordinal);
        Assert.Equal(400, metadata.Status);
    }

    [Fact]
    public async Task WithZaqarsFormattersJsonElementAndJsonNodeBodiesRoundTripExactly()
    {
        using var rest = server.Kestrel.NewProject();
        await using var hub = await ConnectHubAsync(new Uri(server.Kestrel.BaseUri, HubPath(rest)), HubWireProtocol.MessagePack);

        await hub.InvokeAsync("PostMessages", "q", new object[] { new { body = Element }, new { body = JsonNode.Parse("""["x",{}]""") } });

        var listed = (await rest.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal([Canonical(Element.GetRawText()), Canonical("""["x",{}]""")], listed.Select(m => Canonical(m!["body"])));
    }

    [Fact]
    public async Task OverJsonJsonElementAndJsonNodeBodiesRoundTripWithTheClientsDefaults()
    {
        using var rest = server.Kestrel.NewProject();
        await using var hub = await PlainAsync(HubWireProtocol.Json, rest);

        await hub.InvokeAsync("PostMessages", "q", new object[] { new { body = Element }, new { body = JsonNode.Parse("""["x",{}]""") } });

        var listed = (await rest.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal([Canonical(Element.GetRawText()), Canonical("""["x",{}]""")], listed.Select(m => Canonical(m!["body"])));
    }

    [Theory, BothProtocols]
    public async Task AnonymousObjectsDictionariesAndStringsWorkAsBodiesWithSignalRsOwnSettings(HubWireProtocol protocol)
    {
        using var rest = server.Kestrel.NewProject();
        await using var hub = await PlainAsync(protocol, rest);

        await hub.InvokeAsync("PostMessages", "q", new object[]
        {
            new { body = new { order = 42, tags = new[] { "a" } } },
            new { body = new Dictionary<string, object?> { ["order"] = 42, ["none"] = null } },
            new { body = "text" },
        });

        var listed = (await rest.GetAsync("/v2/queues/q/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal([Canonical("""{"order":42,"tags":["a"]}"""), Canonical("""{"order":42,"none":null}"""), "\"text\""], listed.Select(m => Canonical(m!["body"])));
    }

    [Fact]
    public async Task OverMessagePackPascalCaseResultRecordsReadNothingButRecordsNamingRestsKeysDoWithZaqarsFormatters()
    {
        using var rest = server.Kestrel.NewProject();
        await using var plain = await PlainAsync(HubWireProtocol.MessagePack, rest);
        await using var zaqar = await ConnectHubAsync(new Uri(server.Kestrel.BaseUri, HubPath(rest)), HubWireProtocol.MessagePack);
        var batch = new[] { new { body = 1 } };

        // SignalR's contractless resolver matches keys to member names exactly: "created" is not "Created".
        Assert.False((await plain.InvokeAsync<PlainCreated>("CreateQueue", "q", null)).Created);
        Assert.Null((await plain.InvokeAsync<PlainPosted>("PostMessages", "q", batch)).MessageIds);
        Assert.Single((await zaqar.InvokeAsync<NamedPosted>("PostMessages", "q", batch)).MessageIds);
    }

    [Fact]
    public async Task OverJsonSnakeCaseKeysBindToRecordsThatNameThemOrToASnakeCaseNamingPolicy()
    {
        using var rest = server.Kestrel.NewProject();
        await using var plain = await PlainAsync(HubWireProtocol.Json, rest);
        var batch = new[] { new { body = 1 } };

        // The client's JSON defaults (camelCase, any case) do not map "message_ids" to MessageIds.
        Assert.Null((await plain.InvokeAsync<PlainPosted>("PostMessages", "q", batch)).MessageIds);
        Assert.Single((await plain.InvokeAsync<NamedPosted>("PostMessages", "q", batch)).MessageIds);
        Assert.True((await plain.InvokeAsync<PlainCreated>("CreateQueue", "other", null)).Created);
    }

    private Task<HubClient> PlainAsync(HubWireProtocol protocol, ZaqarClient rest, HttpTransportType transport = HttpTransportType.WebSockets) =>
        ConnectHubAsync(new Uri(server.Kestrel.BaseUri, HubPath(rest)), protocol, o =>
        {
            o.ZaqarFormatters = false;
            o.Transport = transport;
        });
}
