using System.Text;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Protocols.MessagePack;
using Zaqar.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>Untrusted input: a malformed or oversized frame closes that one connection with an error; the server serves on.</summary>
public sealed class HubMalformedInputTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AMalformedMessagePackFrameClosesThatConnectionWithAnError()
    {
        // An Invocation whose argument is the never-used type code 0xc1.
        var frame = MsgPackBuilder.Frame(ProtocolTestKit.Hex("95 01 80 c0 a1 4d 91 c1"));
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
    public async Task AMessagePackPrefixDeclaringMoreThanTheSizeLimitClosesThatConnectionBeforeTheBodyArrives()
    {
        // VarInt 2^21: a 2 MiB frame, over the 1 MiB limit; no body follows.
        await AssertClosesOnlyThatConnectionAsync(HubWireProtocol.MessagePack, ProtocolTestKit.Hex("80 80 80 01"));
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
        Assert.IsType<HubConnectionClosedException>(failed);
        Assert.True(closed.CloseMessageReceived && closed.Error is not null, $"expected a Close message with an error: {closed}");
        Assert.True(await bystander.InvokeAsync<bool>("Ping"));
        Assert.Equal(0, (await rest.GetAsync("/v2/queues/q/stats")).Json!["messages"]!["total"]!.GetValue<int>());
    }

    private async Task AssertClosesOnlyThatConnectionAsync(HubWireProtocol protocol, byte[] frame)
    {
        using var rest = server.NewProject();
        await using var bystander = await server.Factory.ConnectHubAsync(protocol, rest);
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);

        await hub.SendRawAsync(frame, TestContext.Current.CancellationToken);

        var closed = await hub.Closed.Within();
        Assert.True(closed.CloseMessageReceived, $"expected a Close message: {closed}");
        Assert.Equal("Connection closed with an error.", closed.Error);
        await Assert.ThrowsAsync<HubConnectionClosedException>(() => hub.InvokeAsync<bool>("Ping"));
        Assert.True(await bystander.InvokeAsync<bool>("Ping"));
        await using var newcomer = await server.Factory.ConnectHubAsync(protocol, rest);
        Assert.True(await newcomer.InvokeAsync<bool>("Ping"));
    }
}
