using System.Text;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>
/// Untrusted input: a frame whose envelope is malformed, or one over the size limit, closes that one connection with an
/// error; a malformed argument is an error completion for that call (the official protocol's binding failure, issue 11);
/// the server serves on.
/// </summary>
public sealed class HubMalformedInputTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AMessagePackFrameWithMalformedHeadersClosesThatConnectionWithAnError()
    {
        // An Invocation whose headers are a string where a map belongs.
        var frame = MsgPackBuilder.Frame(ProtocolTestKit.Hex("95 01 a0 c0 a1 4d 90"));
        await AssertClosesOnlyThatConnectionAsync(HubWireProtocol.MessagePack, frame);
    }

    [Fact]
    public async Task AMessagePackFrameThatIsNotAnArrayClosesThatConnectionWithAnError()
    {
        await AssertClosesOnlyThatConnectionAsync(HubWireProtocol.MessagePack, MsgPackBuilder.Frame(ProtocolTestKit.Hex("a3 61 62 63")));
    }

    [Fact]
    public async Task AMalformedJsonMessageClosesThatConnectionWithAnError()
    {
        await AssertClosesOnlyThatConnectionAsync(HubWireProtocol.Json, Encoding.UTF8.GetBytes("{\"type\":1,\"target\":}\u001e"));
    }

    [Fact]
    public async Task AMalformedMessagePackArgumentFailsThatCallAndTheConnectionServesOn()
    {
        using var rest = server.NewProject();
        await using var hub = await RawHubSocket.ConnectAsync(server.Factory, HubWireProtocol.MessagePack, HubPath(rest));

        // PostMessages("q", <the never-used type code 0xc1>) as invocation "x".
        var failed = hub.Expect("x");
        var frame = new MsgPackBuilder().Array(5).Int(1).Map(0).Str("x").Str("PostMessages").Array(2).Str("q").Raw(0xc1).ToFrame();
        await hub.SendRawAsync(frame, TestContext.Current.CancellationToken);

        Assert.Equal("Failed to invoke 'PostMessages' due to an error on the server.", (await failed.Within()).Error);
        Assert.True(((JsonNode)(await hub.InvokeAsync("Ping")).Result!).GetValue<bool>());
        Assert.False(hub.Closed.IsCompleted);
        Assert.Equal(0, (await rest.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<int>());
    }

    [Theory, BothProtocols]
    public async Task AMessageOfAnUnknownTypeIsSkippedAndTheCallsAfterItRun(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await RawHubSocket.ConnectAsync(server.Factory, protocol, HubPath(rest));
        var unknown = protocol == HubWireProtocol.MessagePack
            ? new MsgPackBuilder().Array(2).Int(42).Str("future").ToFrame()
            : Encoding.UTF8.GetBytes("{\"type\":42,\"future\":true}\u001e");

        await hub.SendRawAsync(unknown, TestContext.Current.CancellationToken);

        Assert.True(((JsonNode)(await hub.InvokeAsync("Ping")).Result!).GetValue<bool>());
    }

    [Fact]
    public async Task AMessagePackPrefixDeclaringMoreThanTheSizeLimitClosesThatConnectionOnceALimitsWorthHasArrived()
    {
        using var rest = server.NewProject();
        await using var hub = await RawHubSocket.ConnectAsync(server.Factory, HubWireProtocol.MessagePack, HubPath(rest));

        // VarInt 2^21: a 2 MiB frame, over the 1 MiB limit. The official protocol waits for the body; SignalR refuses the
        // frame once more than the limit is buffered (our own protocol refused it on the prefix alone).
        await hub.SendRawAsync(ProtocolTestKit.Hex("80 80 80 01"), TestContext.Current.CancellationToken);
        await hub.SendRawAsync(new byte[1024 * 1024 + 1], TestContext.Current.CancellationToken);

        var closed = await hub.Closed.Within();
        Assert.True(closed.CloseMessageReceived, $"expected a Close message: {closed}");
        Assert.Equal("Connection closed with an error.", closed.Error);
    }

    [Theory, BothProtocols]
    public async Task AMessageOverTheSizeLimitClosesThatConnectionWithAnError(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var bystander = await server.Factory.ConnectHubAsync(protocol, rest);
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);

        // 1.2 MB of body, over Hub:MaximumReceiveMessageSize (1 MiB): refused by size, before it is read as a post.
        var huge = new[] { new { body = new string('x', 1_200_000) } };
        var failed = await Record.ExceptionAsync(() => hub.InvokeAsync("PostMessages", "q", huge));

        var closed = await hub.Closed.Within();
        Assert.NotNull(failed);
        Assert.Equal("The server closed the connection with the following error: Connection closed with an error.", closed?.Message);
        Assert.True(await bystander.InvokeAsync<bool>("Ping"));
        Assert.Equal(0, (await rest.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<int>());
    }

    private async Task AssertClosesOnlyThatConnectionAsync(HubWireProtocol protocol, byte[] frame)
    {
        using var rest = server.NewProject();
        await using var bystander = await server.Factory.ConnectHubAsync(protocol, rest);
        await using var hub = await RawHubSocket.ConnectAsync(server.Factory, protocol, HubPath(rest));

        await hub.SendRawAsync(frame, TestContext.Current.CancellationToken);

        var closed = await hub.Closed.Within();
        Assert.True(closed.CloseMessageReceived, $"expected a Close message: {closed}");
        Assert.Equal("Connection closed with an error.", closed.Error);
        Assert.True(await bystander.InvokeAsync<bool>("Ping"));
        await using var newcomer = await server.Factory.ConnectHubAsync(protocol, rest);
        Assert.True(await newcomer.InvokeAsync<bool>("Ping"));
    }
}
