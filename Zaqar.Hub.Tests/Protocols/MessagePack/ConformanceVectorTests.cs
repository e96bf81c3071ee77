using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>
/// Byte-exact frames from shared/docs/signalr-msgpack-protocol.md (captured from the JS client and the .NET server), against
/// the official protocol with the server's options (issue 11).
/// </summary>
public class ConformanceVectorTests
{
    private readonly MessagePackHubProtocol _protocol = Server;

    [Fact]
    public void ProtocolIdentifiesAsMessagePackVersion2AcceptingVersion1()
    {
        Assert.Equal("messagepack", _protocol.Name);
        Assert.Equal(2, _protocol.Version);
        Assert.Equal(Microsoft.AspNetCore.Connections.TransferFormat.Binary, _protocol.TransferFormat);
        Assert.True(_protocol.IsVersionSupported(1));
        Assert.True(_protocol.IsVersionSupported(2));
        Assert.False(_protocol.IsVersionSupported(3));
    }

    [Fact]
    public void CompletionWithResultFiveForInvocationOneMatchesTheCapturedServerFrame()
    {
        var bytes = Write(_protocol, CompletionMessage.WithResult("1", 5));
        Assert.Equal("07 95 03 80 a1 31 03 05", ToHex(bytes));
    }

    [Fact]
    public void JsEchoInvocationBindsTargetArgumentAndId()
    {
        var message = ParseOne(_protocol, Hex("0e 95 01 80 a1 30 a4 45 63 68 6f 91 a2 68 69"), TestBinder.For("Echo", typeof(string)));

        var invocation = Assert.IsType<InvocationMessage>(message);
        Assert.Equal("0", invocation.InvocationId);
        Assert.Equal("Echo", invocation.Target);
        Assert.Equal(["hi"], invocation.Arguments);
        Assert.Null(invocation.StreamIds);
        Assert.Null(invocation.Headers);
    }

    [Fact]
    public void InvocationIsAlwaysWrittenWithSixElementsAndAnEmptyStreamIdsArray()
    {
        var bytes = Write(_protocol, new InvocationMessage("0", "Echo", ["hi"]));
        Assert.Equal("0f 96 01 80 a1 30 a4 45 63 68 6f 91 a2 68 69 90", ToHex(bytes));
    }

    [Fact]
    public void ServerPushWithoutInvocationIdWritesNil()
    {
        var bytes = Write(_protocol, new InvocationMessage("Echo", ["hi"]));
        Assert.Equal("0e 96 01 80 c0 a4 45 63 68 6f 91 a2 68 69 90", ToHex(bytes));
    }

    [Fact]
    public void PingIsAlwaysTheSameThreeBytes()
    {
        Assert.Equal("02 91 06", ToHex(Write(_protocol, PingMessage.Instance)));
        Assert.Same(PingMessage.Instance, ParseOne(_protocol, Hex("02 91 06"), new TestBinder()));
    }

    [Fact]
    public void EmptyCloseIsWrittenWithThreeElements()
    {
        Assert.Equal("04 93 07 c0 c2", ToHex(Write(_protocol, CloseMessage.Empty)));
    }

    [Fact]
    public void JsClientTwoElementCloseIsAccepted()
    {
        var close = Assert.IsType<CloseMessage>(ParseOne(_protocol, Hex("03 92 07 c0"), new TestBinder()));
        Assert.Null(close.Error);
        Assert.False(close.AllowReconnect);
    }

    [Fact]
    public void CloseWithErrorAndReconnectIsWrittenAsString()
    {
        Assert.Equal("07 93 07 a3 62 61 64 c3", ToHex(Write(_protocol, new CloseMessage("bad", allowReconnect: true))));
    }

    [Fact]
    public void VoidCompletionHasFourElementsAndErrorCompletionFive()
    {
        Assert.Equal("06 94 03 80 a1 32 02", ToHex(Write(_protocol, CompletionMessage.Empty("2"))));
        Assert.Equal("08 95 03 80 a1 33 01 a1 78", ToHex(Write(_protocol, CompletionMessage.WithError("3", "x"))));
        Assert.Equal("07 95 03 80 a1 31 03 c0", ToHex(Write(_protocol, CompletionMessage.WithResult("1", null))));
    }

    [Fact]
    public void StreamItemCancelAckAndSequenceHaveTheDocumentedLayouts()
    {
        Assert.Equal("06 94 02 80 a1 37 2a", ToHex(Write(_protocol, new StreamItemMessage("7", 42))));
        Assert.Equal("05 93 05 80 a1 37", ToHex(Write(_protocol, new CancelInvocationMessage("7"))));
        Assert.Equal("04 92 08 cc c8", ToHex(Write(_protocol, new AckMessage(200))));
        Assert.Equal("03 92 09 01", ToHex(Write(_protocol, new SequenceMessage(1))));
    }

    [Fact]
    public void StreamInvocationCarriesItsStreamIds()
    {
        var bytes = Write(_protocol, new StreamInvocationMessage("4", "Up", [], ["5"]));
        Assert.Equal("0c 96 04 80 a1 34 a2 55 70 90 91 a1 35", ToHex(bytes));
    }

    [Fact]
    public void HeadersAreAStringToStringMap()
    {
        var message = new InvocationMessage("Echo", []) { Headers = new Dictionary<string, string> { ["k"] = "v" } };
        var bytes = Write(_protocol, message);
        Assert.Equal("0f 96 01 81 a1 6b a1 76 c0 a4 45 63 68 6f 90 90", ToHex(bytes));

        var parsed = ParseOne(_protocol, bytes, TestBinder.For("Echo"));
        Assert.Equal("v", Assert.IsType<InvocationMessage>(parsed).Headers!["k"]);
    }

    [Fact]
    public void FiveElementInvocationWithoutStreamIdsParsesAsJsSendsIt()
    {
        var frame = new MsgPackBuilder().Array(5).Int(1).Map(0).Nil().Str("Go").Array(2).Int(1).Str("a").ToFrame();

        var invocation = Assert.IsType<InvocationMessage>(ParseOne(_protocol, frame, TestBinder.For("Go", typeof(int), typeof(string))));

        Assert.Null(invocation.InvocationId);
        Assert.Equal([1, "a"], invocation.Arguments);
    }

    [Fact]
    public void ExtraTrailingElementsAreIgnored()
    {
        var frame = new MsgPackBuilder().Array(8).Int(1).Map(0).Str("9").Str("Go").Array(0).Array(0).Str("future").Map(0).ToFrame();
        var invocation = Assert.IsType<InvocationMessage>(ParseOne(_protocol, frame, TestBinder.For("Go")));
        Assert.Equal("9", invocation.InvocationId);

        var close = Assert.IsType<CloseMessage>(ParseOne(_protocol, new MsgPackBuilder().Array(4).Int(7).Str("e").Bool(true).Int(1).ToFrame(), new TestBinder()));
        Assert.Equal("e", close.Error);
        Assert.True(close.AllowReconnect);
    }

    [Theory]
    [InlineData(9, "09")]
    [InlineData(127, "7f")]
    [InlineData(128, "80 01")]
    [InlineData(135, "87 01")]
    [InlineData(199, "c7 01")]
    [InlineData(16384, "80 80 01")]
    public void LengthPrefixIsAVarInt(int length, string expectedPrefix)
    {
        // A StreamItem whose string is sized so that the payload is exactly `length` bytes long.
        var prefixSize = expectedPrefix.Split(' ').Length;
        var bytes = Enumerable.Range(Math.Max(0, length - 10), 10)
            .Select(n => Write(_protocol, new StreamItemMessage("1", new string('x', n))))
            .First(b => b.Length - prefixSize == length);

        Assert.Equal(expectedPrefix, ToHex(bytes.AsSpan(0, prefixSize)));
    }
}
