using System.Buffers;
using Microsoft.AspNetCore.SignalR.Protocol;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>
/// Length-prefixed framing as the official protocol does it (issue 11), including where it differs from our own: a prefix
/// that declares more than the size limit is not refused until that many bytes have arrived (SignalR's
/// MaximumReceiveMessageSize check), and a frame of an unknown message type is consumed without a message.
/// </summary>
public class FramingTests
{
    private static readonly byte[] Echo = Hex("0e 95 01 80 a1 30 a4 45 63 68 6f 91 a2 68 69");

    private readonly TestBinder _binder = TestBinder.For("Echo", typeof(string));

    [Fact]
    public void PartialFrameReturnsFalseWithoutConsumingAnything()
    {
        for (var length = 0; length < Echo.Length; length++)
        {
            var input = new ReadOnlySequence<byte>(Echo, 0, length);
            Assert.False(Server.TryParseMessage(ref input, _binder, out var message));
            Assert.Null(message);
            Assert.Equal(length, input.Length);
        }
    }

    [Fact]
    public void SeveralFramesInOneBufferParseOneAtATime()
    {
        var buffer = new ReadOnlySequence<byte>([.. Echo, .. Hex("02 91 06"), .. Echo[..5]]);

        Assert.True(Server.TryParseMessage(ref buffer, _binder, out var first));
        Assert.IsType<InvocationMessage>(first);
        Assert.True(Server.TryParseMessage(ref buffer, _binder, out var second));
        Assert.Same(PingMessage.Instance, second);
        Assert.False(Server.TryParseMessage(ref buffer, _binder, out _));
        Assert.Equal(5, buffer.Length);
    }

    [Fact]
    public void FramesSplitAcrossManySegmentsParse()
    {
        byte[] data = [.. Echo, .. Echo];
        for (var cut = 1; cut < data.Length; cut++)
        {
            var input = Segmented(data, cut, cut / 2, cut + 3);
            Assert.True(Server.TryParseMessage(ref input, _binder, out var first));
            Assert.True(Server.TryParseMessage(ref input, _binder, out var second));
            Assert.Equal(["hi"], Assert.IsType<InvocationMessage>(first).Arguments);
            Assert.Equal(["hi"], Assert.IsType<InvocationMessage>(second).Arguments);
            Assert.Equal(0, input.Length);
        }
    }

    [Fact]
    public void LengthPrefixSplitAcrossSegmentsParses()
    {
        var payload = new MsgPackBuilder().Array(4).Int(2).Map(0).Str("s").Str(new string('x', 300)).ToArray();
        var binder = new TestBinder();
        binder.StreamItems["s"] = typeof(string);

        var input = Segmented(MsgPackBuilder.Frame(payload), 1, 2);
        Assert.True(Server.TryParseMessage(ref input, binder, out var message));
        Assert.Equal(300, Assert.IsType<string>(Assert.IsType<StreamItemMessage>(message).Item).Length);
    }

    [Fact]
    public void AFrameOfAnUnknownMessageTypeIsConsumedWithoutAMessage()
    {
        var unknown = new MsgPackBuilder().Array(2).Int(42).Str("future").ToFrame();
        var input = new ReadOnlySequence<byte>([.. unknown, .. Echo]);

        Assert.False(Server.TryParseMessage(ref input, _binder, out _));
        Assert.Equal(Echo.Length, input.Length);
        Assert.True(Server.TryParseMessage(ref input, _binder, out var message));
        Assert.IsType<InvocationMessage>(message);
    }

    [Fact]
    public void APrefixDeclaringAHugeFrameWaitsForItsBytes()
    {
        var input = new ReadOnlySequence<byte>(Hex("80 80 40 95 01 80")); // 1 MiB declared, 3 bytes present

        Assert.False(Server.TryParseMessage(ref input, _binder, out _));
        Assert.Equal(6, input.Length);
    }

    [Theory]
    [InlineData("ff ff ff ff 0f 00")]
    [InlineData("80 80 80 80 80 01")]
    public void APrefixOver2GBOrLongerThanFiveBytesThrows(string bytes)
    {
        var input = new ReadOnlySequence<byte>(Hex(bytes));
        Assert.ThrowsAny<Exception>(() => Server.TryParseMessage(ref input, _binder, out _));
    }
}
