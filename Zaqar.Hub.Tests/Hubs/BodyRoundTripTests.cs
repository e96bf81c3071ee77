using System.Text.Json;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>
/// Message bodies are arbitrary JSON and come back exactly (key order, integers to the ends of int64, floats, unicode)
/// whichever transport posted them and whichever reads them: REST, hub JSON, hub MessagePack, push.
/// </summary>
public sealed class BodyRoundTripTests(ZaqarTestServer server)
{
    /// <summary>Bodies as JSON text, in the canonical spelling each protocol keeps (see the MessagePack README's decisions).</summary>
    private static readonly string[] Bodies =
    [
        """{"zebra":1,"alpha":{"list":[1,-2,3.5,"x",null,true,false],"empty":{},"none":[]},"middle":"m"}""",
        """{"unicode":"héllo ✓ 日本 😀","escapes":"quote \" backslash \\ newline \n tab \t control \u0001 (NUL is refused: issue 10)"}""",
        "9223372036854775807",
        "-9223372036854775808",
        """[0.1,-0.25,1.0,3.141592653589793,-2.5E-10,1E+300,5E-324]""",
        "\"a plain string\"",
        "true",
        "null",
        """[{"deep":[[[["down"]]]]}]""",
        "{}",
        "[]",
    ];

    private static readonly string[] Expected = Bodies.Select(Canonical).ToArray();

    private static MessageArgs[] Drafts() => Bodies.Select(b => new MessageArgs(JsonDocument.Parse(b).RootElement.Clone())).ToArray();

    [Theory, BothProtocols]
    public async Task BodiesPostedOverTheHubReadBackIdenticalOverRestAndBothHubProtocols(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var poster = await server.Factory.ConnectHubAsync(protocol, rest);
        await using var json = await server.Factory.ConnectHubAsync(HubWireProtocol.Json, rest);
        await using var messagePack = await server.Factory.ConnectHubAsync(HubWireProtocol.MessagePack, rest);

        await poster.InvokeAsync("PostMessages", "rt", Drafts());

        await AssertBodiesAsync(rest, json, messagePack);
    }

    [Fact]
    public async Task BodiesPostedOverRestReadBackIdenticalOverBothHubProtocolsAndArePushedIdentical()
    {
        using var rest = server.NewProject();
        await using var json = await server.Factory.ConnectHubAsync(HubWireProtocol.Json, rest);
        await using var messagePack = await server.Factory.ConnectHubAsync(HubWireProtocol.MessagePack, rest);
        using var jsonPushes = new PushRecorder(json);
        using var messagePackPushes = new PushRecorder(messagePack);
        await json.InvokeAsync("Subscribe", "rt");
        await messagePack.InvokeAsync("Subscribe", "rt");

        var text = $$"""{"messages":[{{string.Join(",", Bodies.Select(b => $$"""{"body":{{b}}}"""))}}]}""";
        Assert.Equal(System.Net.HttpStatusCode.Created, (await rest.PostAsync("/v2/queues/rt/messages", text)).Status);

        await AssertBodiesAsync(rest, json, messagePack);
        Assert.Equal(Expected, (await jsonPushes.NextBodiesAsync()).Select(Canonical));
        Assert.Equal(Expected, (await messagePackPushes.NextBodiesAsync()).Select(Canonical));
    }

    [Fact]
    public async Task TheRestTextKeepsKeyOrderAndIntegerSpellingsOfAMessagePackPost()
    {
        using var rest = server.NewProject();
        await using var messagePack = await server.Factory.ConnectHubAsync(HubWireProtocol.MessagePack, rest);

        await messagePack.InvokeAsync("PostMessages", "rt", Drafts());

        var listed = await rest.GetAsync("/v2/queues/rt/messages?echo=true&limit=20");
        var zebra = listed.Text.IndexOf("\"zebra\"", StringComparison.Ordinal);
        Assert.True(zebra > 0 && zebra < listed.Text.IndexOf("\"alpha\"", StringComparison.Ordinal), "keys keep their posted order");
        Assert.Contains("\"body\":9223372036854775807", listed.Text, StringComparison.Ordinal);
        Assert.Contains("\"body\":-9223372036854775808", listed.Text, StringComparison.Ordinal);
    }

    [Theory, BothProtocols]
    public async Task AnIntegerBeyondInt64IsRefusedOverTheHubAsOverRest(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        var body = JsonDocument.Parse("""{"big":[18446744073709551615]}""").RootElement;

        var refused = await ZaqarErrorAsync(() => hub.InvokeAsync("PostMessages", "q", new[] { new MessageArgs(body) }));
        var metadata = await ZaqarErrorAsync(() => hub.InvokeAsync("CreateQueue", "q", body));

        var restError = RestError(await rest.PostAsync("/v2/queues/q/messages", $$"""{"messages":[{"body":{{body.GetRawText()}}}]}"""));
        Assert.Equal((400, "JSON contains integer that is too large."), (restError.Status, restError.Description));
        Assert.Equal(restError, refused);
        Assert.Equal(RestError(await rest.PutAsync("/v2/queues/q", body.GetRawText())), metadata);
        Assert.Equal(0, (await rest.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<int>());
    }

    private static async Task AssertBodiesAsync(ZaqarClient rest, HubClient json, HubClient messagePack)
    {
        var viaRest = (await rest.GetAsync("/v2/queues/rt/messages?echo=true&limit=20")).Json!["messages"]!.AsArray();
        Assert.Equal(Expected, viaRest.Select(m => Canonical(m!["body"])));
        foreach (var hub in new[] { json, messagePack })
        {
            var page = await hub.InvokeAsync<MessagePageView>("ListMessages", "rt", new ListMessagesArgs(Echo: true, Limit: 20));
            Assert.Equal(Expected, page.Messages.Select(m => Canonical(m.Body.GetRawText())));
        }
    }
}
