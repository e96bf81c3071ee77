using System.Buffers;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

public class FramingTests
{
    private static readonly byte[] _echo = Hex("0e 95 01 80 a1 30 a4 45 63 68 6f 91 a2 68 69");

    private readonly MessagePackHubProtocol _protocol = new();
    private readonly TestBinder _binder = TestBinder.For("Echo", typeof(string));

    [Fact]
    public void PartialFrameReturnsFalseWithoutConsumingAnything()
    {
        for (var length = 0; length < _echo.Length; length++)
        {
            var input = new ReadOnlySequence<byte>(_echo, 0, length);
            Assert.False(_protocol.TryParseMessage(ref input, _binder, out var message));
            Assert.Null(message);
            Assert.Equal(length, input.Length);
        }
    }

    [Fact]
    public void SeveralFramesInOneBufferParseOneAtATime()
    {
        var buffer = new ReadOnlySequence<byte>([.. _echo, .. Hex("02 91 06"), .. _echo[..5]]);

        Assert.True(_protocol.TryParseMessage(ref buffer, _binder, out var first));
        Assert.IsType<InvocationMessage>(first);
        Assert.True(_protocol.TryParseMessage(ref buffer, _binder, out var second));
        Assert.Same(PingMessage.Instance, second);
        Assert.False(_protocol.TryParseMessage(ref buffer, _binder, out _));
        Assert.Equal(5, buffer.Length);
    }

    [Fact]
    public void FramesSplitAcrossManySegmentsParse()
    {
        byte[] data = [.. _echo, .. _echo];
        for (var cut = 1; cut < data.Length; cut++)
        {
            var input = Segmented(data, cut, cut / 2, cut + 3);
            Assert.True(_protocol.TryParseMessage(ref input, _binder, out var first));
            Assert.True(_protocol.TryParseMessage(ref input, _binder, out var second));
            Assert.Equal(["hi"], Assert.IsType<InvocationMessage>(first).Arguments);
            Assert.Equal(["hi"], Assert.IsType<InvocationMessage>(second).Arguments);
            Assert.Equal(0, input.Length);
        }
    }

    [Fact]
    public void LengthPrefixSplitAcrossSegmentsParses()
    {
        var payload = new MsgPackBuilder().Array(4).Int(2).Map(0).Str("s").Str(new string('x', 300)).ToArray();
        var frame = MsgPackBuilder.Frame(payload);
        var binder = new TestBinder();
        binder.StreamItems["s"] = typeof(string);

        var input = Segmented(frame, 1, 2);
        Assert.True(_protocol.TryParseMessage(ref input, binder, out var message));
        Assert.Equal(300, Assert.IsType<string>(Assert.IsType<StreamItemMessage>(message).Item).Length);
    }

    [Fact]
    public void UnknownMessageTypesAreSkippedAndTheNextFrameIsReturned()
    {
        var unknown = new MsgPackBuilder().Array(2).Int(42).Str("future").ToFrame();
        var input = new ReadOnlySequence<byte>(unknown.Concat(unknown).Concat(_echo).ToArray());

        Assert.True(_protocol.TryParseMessage(ref input, _binder, out var message));
        Assert.IsType<InvocationMessage>(message);
        Assert.Equal(0, input.Length);

        var alone = new ReadOnlySequence<byte>(unknown);
        Assert.False(_protocol.TryParseMessage(ref alone, _binder, out _));
        Assert.Equal(0, alone.Length);
    }

    [Fact]
    public void PrefixDeclaringMoreThanMaxFrameSizeIsRejectedBeforeTheBodyArrives()
    {
        var protocol = new MessagePackHubProtocol(new MessagePackHubProtocolOptions { MaxFrameSize = 1000 });
        var input = new ReadOnlySequence<byte>(Hex("e9 07 95")); // 1001 bytes declared, 1 present

        var ex = Assert.Throws<InvalidDataException>(() => protocol.TryParseMessage(ref input, _binder, out _));
        Assert.Contains("MaxFrameSize", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrefixLongerThanFiveBytesIsRejected()
    {
        var input = new ReadOnlySequence<byte>(Hex("ff ff ff ff 0f 00"));
        Assert.Throws<InvalidDataException>(() => _protocol.TryParseMessage(ref input, _binder, out _));

        var sixBytes = new ReadOnlySequence<byte>(Hex("80 80 80 80 80 01"));
        Assert.Throws<InvalidDataException>(() => _protocol.TryParseMessage(ref sixBytes, _binder, out _));
    }

    [Fact]
    public void EmptyFrameIsInvalid()
    {
        var input = new ReadOnlySequence<byte>(Hex("00"));
        Assert.Throws<InvalidDataException>(() => _protocol.TryParseMessage(ref input, _binder, out _));
    }

    [Fact]
    public void FrameOfExactlyMaxFrameSizeIsAccepted()
    {
        var payload = new MsgPackBuilder().Array(4).Int(2).Map(0).Str("s").Str(new string('x', 100)).ToArray();
        var protocol = new MessagePackHubProtocol(new MessagePackHubProtocolOptions { MaxFrameSize = payload.Length });
        var binder = new TestBinder();
        binder.StreamItems["s"] = typeof(string);

        Assert.IsType<StreamItemMessage>(ParseOne(protocol, MsgPackBuilder.Frame(payload), binder));
    }
}
