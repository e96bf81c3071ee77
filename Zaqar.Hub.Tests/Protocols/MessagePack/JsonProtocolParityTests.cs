using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using global::MessagePack;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Serialization;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>
/// The hub's views and arguments have REST's keys and the same values in both of the server's protocols: the JSON protocol's
/// text and the MessagePack protocol's bytes, read as JSON, agree (issue 11).
/// </summary>
public sealed class JsonProtocolParityTests(ZaqarTestServer server)
{
    private static readonly JsonElement Body = JsonDocument.Parse("""{"x":[1,2.5,null,"ü"],"n":2.0,"big":18446744073709551615}""").RootElement;

    [Theory]
    [MemberData(nameof(Values))]
    public void TheServersTwoProtocolsWriteTheSameKeysAndValues(string name, object value)
    {
        var protocols = server.Factory.Services.GetServices<IHubProtocol>().ToDictionary(p => p.Name);

        var overJson = JsonNode.Parse(Text(protocols["json"], value).TrimEnd('\u001e'))!["arguments"]![0];
        var overMessagePack = JsonNode.Parse(Bind<JsonElement>(b => b.Raw(ArgumentBytes(protocols["messagepack"], value))).GetRawText());

        Assert.Equal((name, Canonical(overJson)), (name, Canonical(overMessagePack)));
    }

    [Fact]
    public void TheServerRunsTheOfficialMessagePackProtocolWithZaqarsOptions()
    {
        var options = server.Factory.Services.GetRequiredService<IOptions<MessagePackHubProtocolOptions>>().Value;
        var messagePack = server.Factory.Services.GetServices<IHubProtocol>().Single(p => p.Name == "messagepack");

        Assert.Same(ZaqarMessagePack.ServerOptions, options.SerializerOptions);
        Assert.Equal((2, TransferFormat.Binary), (messagePack.Version, messagePack.TransferFormat));
        Assert.Equal(MessagePackSecurity.UntrustedData.HashCollisionResistant, options.SerializerOptions.Security.HashCollisionResistant);
        Assert.Equal(ZaqarMessagePack.ServerMaxDepth, options.SerializerOptions.Security.MaximumObjectGraphDepth);
    }

    [Fact]
    public void JsonIgnoreWhenWritingNullAndWhenWritingDefaultAreHonoured()
    {
        var written = Bind<JsonElement>(b => b.Raw(Encode(new Ignored())));
        Assert.Equal(["kept", "nullable"], written.EnumerateObject().Select(p => p.Name));

        var set = Bind<JsonElement>(b => b.Raw(Encode(new Ignored { OnlyWhenSet = "s", OnlyWhenNotZero = 1 })));
        Assert.Equal(["kept", "only_when_set", "only_when_not_zero", "nullable"], set.EnumerateObject().Select(p => p.Name));
    }

    public static TheoryData<string, object> Values() => new()
    {
        { "message", new MessageView("m1", "/v2/queues/q/messages/m1", 300, 5, Body) },
        { "message with checksum", new MessageView("m1", "/v2/queues/q/messages/m1", 300, 5, Body) { Checksum = "MD5:abc" } },
        { "pushed", new PushedMessageView("m1", Body, 300, 0) { Size = 99 } },
        { "pushed with delay", new PushedMessageView("m1", Body, 300, 0) { Delay = 30 } },
        { "posted", new PostedView(["m1", "m2"], ["/v2/queues/q/messages/m1", "/v2/queues/q/messages/m2"]) },
        { "claim", new ClaimCreatedView("c1", [new MessageView("m1", "/h", 60, 0, Body)]) },
        { "popped", new PoppedView([new PoppedMessageView("m1", 1, 60, Body, null, null), new PoppedMessageView("m2", 1, 60, Body, "c", 2)]) },
        { "queue page", new QueuePageView([new QueueView("q", "/v2/queues/q") { Metadata = new JsonObject { ["_max_messages_post_size"] = 1024 } }], [new LinkView("next", "/v2/queues?marker=q")]) { Count = 1 } },
        { "stats", new QueueStatsView(new MessageCountsView(1, 2, 3) { Oldest = new MessageStatView(1, 60, Body, null, 0, "2026-01-01T00:00:00Z", "/h") }) },
        { "topic stats", new TopicStatsView(new TopicMessageCountsView(2)) },
        { "subscription", new SubscriptionView("s", "q", "http://x", 60, 0, new JsonObject { ["k"] = true }, true, new DeliveryView(1, 0, 0, null, null, "2026-01-01T00:00:00Z")) },
        { "pool", new PoolView("p", "/v2/pools/p", "postgresql://h/db", 100, null) { Options = new JsonObject() } },
        { "flavor", new FlavorView("f", "/v2/flavors/f") { PoolList = ["p"] } },
        { "health", new HealthView(true, new Dictionary<string, Api.OperationStatus> { ["post_messages"] = new(true, 0.25, null) }) },
        { "message args", new MessageArgs(Body, 60, 0) },
        { "list args", new ListMessagesArgs(Limit: 5, IncludeClaimed: true) },
        { "claim args", new ClaimArgs(Ttl: 60) },
        { "subscription args", new SubscriptionArgs("http://x", 60, Body) },
    };

    private static string Text(IHubProtocol protocol, object value) =>
        System.Text.Encoding.UTF8.GetString(protocol.GetMessageBytes(new InvocationMessage("T", [value])).Span);

    /// <summary>The bytes of the one argument of an invocation as <paramref name="protocol"/> writes it.</summary>
    private static byte[] ArgumentBytes(IHubProtocol protocol, object value)
    {
        var output = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(new InvocationMessage("T", [value]), output);
        var frame = output.WrittenSpan;
        var prefixSize = 0;
        while ((frame[prefixSize++] & 0x80) != 0)
        {
        }
        // 96 01 80 c0 a1 54 91, the argument, 90.
        return frame[(prefixSize + 7)..^1].ToArray();
    }
}
