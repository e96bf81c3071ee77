using System.Text;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// Issue 10, item 4, over the hub: values the hub binds itself are checked after binding by the same definition, so each
/// entry refuses what REST refuses, with REST's status, title and description, on both protocols, and writes nothing.
/// </summary>
public sealed class Issue10HubEntryTests(ZaqarTestServer server)
{
    private static readonly string Deep = new string('[', 40) + new string(']', 40);

    /// <summary>
    /// Refused values that JSON and MessagePack can both carry to the server as sent (MessagePack has no unpaired
    /// surrogates and no 1e400); Zaqar's websocket transport is checked with them too (Issue10SocketEntryTests).
    /// </summary>
    internal static readonly string[] RefusedInBothEncodings =
        ["\"\\u0000\"", "{\"k\\u0000\":1}", "{\"k\":1,\"k\":2}", "[{\"a\":1,\"b\":{\"\":1,\"\":2}}]", "18446744073709551615", Deep];

    /// <summary>Values both protocols can carry to the server as sent.</summary>
    public static TheoryData<HubWireProtocol, string> Refused()
    {
        var data = new TheoryData<HubWireProtocol, string>();
        foreach (var protocol in new[] { HubWireProtocol.Json, HubWireProtocol.MessagePack })
        {
            foreach (var value in RefusedInBothEncodings)
            {
                data.Add(protocol, value);
            }
        }
        data.Add(HubWireProtocol.Json, "1e400");
        return data;
    }

    [Theory, MemberData(nameof(Refused))]
    public async Task Issue10EveryHubEntryRefusesWhatRestRefusesWithTheSameErrorAndWritesNothing(HubWireProtocol protocol, string value)
    {
        using var rest = server.NewProject();
        await using var hub = await HubReader.ConnectAsync(server.Factory, protocol, rest);
        var element = HubReader.Element(value);
        var wrapped = HubReader.Element($$"""{"x":{{value}}}""");
        var expected = RestError(await rest.PostAsync("/v2/queues/q/messages", $$"""{"messages":[{"body":{{value}}}]}"""));

        var errors = new[]
        {
            await hub.ErrorAsync("PostMessages", "q", new[] { new MessageArgs(HubReader.Element("1")), new MessageArgs(element) }),
            await hub.ErrorAsync("PostTopicMessages", "t", new[] { new MessageArgs(element) }),
            await hub.ErrorAsync("CreateQueue", "q", wrapped),
            await hub.ErrorAsync("CreateTopic", "t", wrapped),
            await hub.ErrorAsync("CreateSubscription", "q", new SubscriptionArgs("http://example.com/h", Options: wrapped)),
            await hub.ErrorAsync("CreateSubscription", "q", new SubscriptionArgs(Options: wrapped)),
        };

        Assert.Equal(400, expected.Status);
        Assert.All(errors, e => Assert.Equal(expected, e));
        Assert.Equal("""{"queues":[],"links":[]}""", (await rest.GetAsync("/v2/queues")).Text);
        Assert.Equal("""{"topics":[],"links":[]}""", (await rest.GetAsync("/v2/topics")).Text);
    }

    [Theory, MemberData(nameof(Refused))]
    public async Task Issue10AHubMetadataPatchRefusesWhatRestRefusesAndChangesNothing(HubWireProtocol protocol, string value)
    {
        using var rest = server.NewProject();
        await rest.CreateQueueAsync("q", new { k = 1 });
        await using var hub = await HubReader.ConnectAsync(server.Factory, protocol, rest);
        var patch = $$"""[{"op":"add","path":"/metadata/x","value":{{value}}}]""";
        var expected = RestError(await rest.PatchAsync("/v2/queues/q", patch));

        var refused = await hub.ErrorAsync("UpdateQueueMetadata", "q", HubReader.Element(patch));

        Assert.Equal(expected, refused);
        var metadata = (await rest.GetAsync("/v2/queues/q")).Json!;
        Assert.Equal((1, null), (metadata["k"]!.GetValue<int>(), metadata["x"]));
    }

    [Theory, BothProtocols]
    public async Task Issue10HubStringsThatReachStorageMustBeAcceptableText(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await HubReader.ConnectAsync(server.Factory, protocol, rest);

        var path = await hub.ErrorAsync("UpdateQueueMetadata", "q", HubReader.Element("""[{"op":"add","path":"/metadata/a\u0000","value":1}]"""));
        var subscriber = await hub.ErrorAsync("CreateSubscription", "q", new SubscriptionArgs("http://example.com/\u0000"));
        var name = await hub.ErrorAsync("ListQueues", new ListQueuesArgs(Name: "\u0000"));
        var marker = await hub.ErrorAsync("ListTopics", new ListQueuesArgs(Marker: "a\u0000"));

        Assert.Equal((400, "Invalid request body"), (path.Status, path.Title));
        Assert.Equal((400, "Invalid request body"), (subscriber.Status, subscriber.Title));
        Assert.Equal(RestError(await rest.GetAsync("/v2/queues?name=%00")), name);
        Assert.Equal(RestError(await rest.GetAsync("/v2/topics?marker=a%00")), marker);
        Assert.Equal("""{"queues":[],"links":[]}""", (await rest.GetAsync("/v2/queues")).Text);
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udc00\\ud800")]
    public async Task Issue10AnUnpairedSurrogateSentInARawJsonFrameIsRefusedAndTheConnectionServesOn(string escape)
    {
        using var rest = server.NewProject();
        await using var hub = await RawHubSocket.ConnectAsync(server.Factory, HubWireProtocol.Json, HubTestKit.HubPath(rest));
        string Invocation(string target, string args) => $$"""{"type":1,"target":"{{target}}","arguments":{{args}}}""" + "\u001e";

        await hub.SendRawAsync(Encoding.UTF8.GetBytes(
            Invocation("PostMessages", $$"""["q",[{"body":"{{escape}}"}]]""") +
            Invocation("PostMessages", $$$"""["q",[{"body":{"{{{escape}}}":1}}]]""") +
            Invocation("CreateQueue", $$"""["r",{"k":"{{escape}}"}]""")), TestContext.Current.CancellationToken);

        var ping = await hub.InvokeAsync("Ping");
        Assert.Null(ping.Error);
        Assert.True(ping.Result is true or System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.True } || ping.Result?.ToString() == "true",
            "ping answered " + ping.Result);
        Assert.Equal(0, await rest.TotalAsync("q"));
        Assert.Equal("""{"queues":[],"links":[]}""", (await rest.GetAsync("/v2/queues")).Text);
    }
}
