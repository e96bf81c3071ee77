using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Connections;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>
/// The interop matrix (issue 11): the official .NET client and the official JS client, each with JSON and MessagePack, over
/// WebSockets, long polling and (with JSON) Server-Sent Events, post to and receive pushes from each other and from REST,
/// with bodies of every JSON kind arriving exactly as they were sent. One row per .NET side; each row holds every JS side.
/// </summary>
public sealed class InteropMatrixTests(ZaqarTestServer server)
{
    private const string Queue = "interop";

    /// <summary>Transport and protocol of every side (the JS client, like the .NET one, offers SSE with JSON only).</summary>
    private static readonly (string Transport, string Protocol)[] Pairs =
    [
        ("WebSockets", "json"), ("WebSockets", "messagepack"), ("LongPolling", "json"), ("LongPolling", "messagepack"), ("ServerSentEvents", "json"),
    ];

    public static readonly TheoryData<string, string> Sides = new(Pairs);

    private static readonly string[] Bodies =
    [
        """{"order":42,"nested":{"deep":[1,2.5,null,true,false,"x"]},"unicode":"ünïcødé 𝄞 中文"}""",
        """[1,"two",{"three":3},[],{}]""",
        "\"a string with \\\"quotes\\\", a \\\\ and a\\nnew line\"",
        "0",
        "-17",
        "9007199254740991",
        "3.25",
        "-0.5",
        "1e300",
        "true",
        "false",
        "null",
        "{}",
        "[]",
        """[[[[{"a":[[[1]]]}]]]]""",
    ];

    [Theory]
    [MemberData(nameof(Sides))]
    public async Task BodiesOfEveryJsonKindGoExactlyBetweenDotNetAndJsClientsAndRest(string transport, string protocol)
    {
        using var rest = server.Kestrel.NewProject();
        await using var peer = JsPeer.Start(server.Kestrel.BaseUri);
        await using var dotnet = await ConnectHubAsync(new Uri(server.Kestrel.BaseUri, HubPath(rest)), Protocol(protocol), o =>
        {
            o.Transport = Enum.Parse<HttpTransportType>(transport);
            o.Negotiate = true;
        });
        var received = new List<(string Id, JsonElement Body)>();
        using var pushes = dotnet.On<string, PushedMessageView[]>("Messages", (_, messages) =>
        {
            lock (received)
            {
                received.AddRange(messages.Select(m => (m.Id, m.Body)));
            }
        });
        await dotnet.InvokeAsync("Subscribe", Queue);
        var jsSides = Pairs.Select(s => (s.Transport, s.Protocol, Name: $"{s.Transport}+{s.Protocol}")).ToList();
        foreach (var js in jsSides)
        {
            await peer.CallAsync("connect", new { name = js.Name, transport = js.Transport, protocol = js.Protocol, project = rest.Project, clientId = Guid.NewGuid() });
            await peer.CallAsync("subscribe", new { name = js.Name, queue = Queue });
        }

        // Every side posts every body: .NET, each JS side, then REST.
        var sent = new List<(string Id, string Body, string From)>();
        var fromDotNet = await dotnet.InvokeAsync<PostedView>("PostMessages", Queue, Bodies.Select(b => new MessageArgs(Parse(b), 300)).ToArray());
        sent.AddRange(fromDotNet.MessageIds.Zip(Bodies, (id, body) => (id, body, $".NET {transport}+{protocol}")));
        foreach (var js in jsSides)
        {
            var ids = await peer.CallAsync("post", new { name = js.Name, queue = Queue, bodies = Bodies.Select(b => JsonNode.Parse(b)).ToArray() });
            sent.AddRange(ids!.AsArray().Select(id => id!.GetValue<string>()).Zip(Bodies, (id, body) => (id, body, "JS " + js.Name)));
        }
        var fromRest = await rest.PostMessagesAsync(Queue, Bodies.Select(b => (object)JsonNode.Parse(b)!).ToArray());
        sent.AddRange(fromRest.Zip(Bodies, (id, body) => (id, body, "REST")));

        // Every connection was pushed every message, in posting order, each body equal to what was sent.
        var dotnetGot = await EventuallyAsync(() => Task.FromResult(Snapshot(received)), r => r.Count >= sent.Count);
        AssertSame(sent, dotnetGot, $".NET {transport}+{protocol}");
        foreach (var js in jsSides)
        {
            var got = await peer.CallAsync("pushes", new { name = js.Name, count = sent.Count, timeoutMs = 10_000 });
            AssertSame(sent, got!.AsArray().Select(p => (p!["id"]!.GetValue<string>(), Parse(p["body"]?.ToJsonString() ?? "null"))).ToList(), "JS " + js.Name);
        }
        // And what the .NET side posted reads back over REST as it was sent (a float's spelling may change on its way through
        // MessagePack, which has no text for numbers: 1e300 reads back as 1E+300, the same value).
        var stored = (await rest.GetAsync($"/v2/queues/{Queue}/messages?ids={string.Join(',', fromDotNet.MessageIds)}")).Json!["messages"]!.AsArray();
        var storedBodies = stored.ToDictionary(m => m!["id"]!.GetValue<string>(), m => Parse(m!["body"]?.ToJsonString() ?? "null"));
        Assert.All(fromDotNet.MessageIds.Zip(Bodies), p => Assert.True(JsonElement.DeepEquals(Parse(p.Second), storedBodies[p.First]), p.Second));
    }

    private static void AssertSame(List<(string Id, string Body, string From)> sent, List<(string Id, JsonElement Body)> got, string receiver)
    {
        Assert.True(got.Count == sent.Count, $"{receiver} was pushed {got.Count} of {sent.Count} messages");
        for (var i = 0; i < sent.Count; i++)
        {
            Assert.True(sent[i].Id == got[i].Id && JsonElement.DeepEquals(Parse(sent[i].Body), got[i].Body),
                $"{receiver} got {got[i].Id}: {got[i].Body.GetRawText()} where {sent[i].From} sent {sent[i].Id}: {sent[i].Body}");
        }
    }

    private static List<(string Id, JsonElement Body)> Snapshot(List<(string Id, JsonElement Body)> received)
    {
        lock (received)
        {
            return [.. received];
        }
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static HubWireProtocol Protocol(string name) => name == "messagepack" ? HubWireProtocol.MessagePack : HubWireProtocol.Json;
}
