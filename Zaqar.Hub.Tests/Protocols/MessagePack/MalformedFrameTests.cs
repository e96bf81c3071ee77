using System.Buffers;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>Malformed frames and frames over the limits make TryParseMessage throw InvalidDataException with a clear message.</summary>
public class MalformedFrameTests
{
    private readonly MessagePackHubProtocol _protocol = new();
    private readonly TestBinder _binder = TestBinder.For("M", typeof(object));

    [Theory]
    [InlineData("c1", "0xc1")]
    [InlineData("95 01 80 c0 a1 4d 91 a5 61 62", "truncated")]
    [InlineData("95 01 80 c0 a1 4d 91 c4 05 01", "truncated")]
    [InlineData("cb 00 00", "truncated")]
    [InlineData("a1 61", "must be a MessagePack array")]
    [InlineData("90", "message type")]
    [InlineData("93 01 80 c0", "at least 5 elements")]
    [InlineData("95 01 a0 c0 a1 4d 90", "headers must be a map")]
    [InlineData("95 01 80 01 a1 4d 90", "invocation id must be a string")]
    [InlineData("95 01 80 c0 01 90", "target must be a string")]
    [InlineData("95 01 80 c0 a1 4d 80", "arguments must be an array")]
    [InlineData("95 01 81 a1 6b 01 c0 a1 4d 90", "header 'k' must be a string")]
    [InlineData("95 01 81 01 a1 76 c0 a1 4d 90", "map keys must be strings")]
    [InlineData("95 01 80 c0 a1 4d 91 81 01 02", "map keys must be strings")]
    [InlineData("95 01 80 c0 a1 4d 91 a2 c3 28", "not valid UTF-8")]
    [InlineData("95 01 80 c0 a2 ed a0 90", "not valid UTF-8")]
    [InlineData("95 01 80 c0 a1 4d 91 c0 c0", "unexpected byte(s) after the message")]
    [InlineData("95 03 80 a1 31 04 c0", "result kind 4")]
    [InlineData("94 03 80 a1 31 03", "needs 5 elements")]
    [InlineData("93 04 80 c0", "at least 5 elements")]
    [InlineData("95 04 80 c0 a1 4d 90", "invocation id is missing")]
    [InlineData("92 08 a1 31", "Expected an integer")]
    [InlineData("92 07 01", "Expected a string")]
    [InlineData("95 01 80 c0 a1 4d 91 d6 ff 01 02", "truncated")]
    [InlineData("95 01 80 c0 a1 4d 91 d7 ff ff ff ff ff 00 00 00 00", "nanoseconds")]
    public void MalformedFrameThrowsInvalidDataExplainingWhy(string payloadHex, string expected)
    {
        var frame = MsgPackBuilder.Frame(Hex(payloadHex));
        var input = new ReadOnlySequence<byte>(frame);

        var ex = Assert.Throws<InvalidDataException>(() => _protocol.TryParseMessage(ref input, _binder, out _));
        Assert.Contains(expected, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NestingDeeperThanMaxDepthIsRejected()
    {
        // The message array and the arguments array are levels 1 and 2, so an argument may nest 62 more.
        Assert.NotNull(ParseOne(_protocol, Nested(depth: 62), _binder));

        var tooDeep = Nested(depth: 63);
        var ex = Assert.Throws<InvalidDataException>(() => ParseOne(_protocol, tooDeep, _binder));
        Assert.Contains("deeper than the limit of 64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHundredThousandLevelsOfNestingAreRejectedWithoutRecursion()
    {
        var protocol = new MessagePackHubProtocol(new MessagePackHubProtocolOptions { MaxFrameSize = 200_000 });
        var payload = new byte[100_010];
        Hex("95 01 80 c0 a1 4d 91").CopyTo(payload, 0);
        payload.AsSpan(7).Fill(0x91);
        payload[^1] = 0xc0;

        Assert.Throws<InvalidDataException>(() => ParseOne(protocol, MsgPackBuilder.Frame(payload), _binder));
    }

    [Theory]
    [InlineData("str")]
    [InlineData("bin")]
    [InlineData("array")]
    [InlineData("map")]
    public void ValuesOverTheirLengthLimitsAreRejected(string kind)
    {
        var protocol = new MessagePackHubProtocol(new MessagePackHubProtocolOptions
        {
            MaxStringLength = 8, MaxBinaryLength = 8, MaxCollectionLength = 8,
        });
        var ok = Argument(kind, 8);
        var over = Argument(kind, 9);

        Assert.NotNull(ParseOne(protocol, ok, _binder));
        var ex = Assert.Throws<InvalidDataException>(() => ParseOne(protocol, over, _binder));
        Assert.Contains("over the limit of 8", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dd ff ff ff ff")]
    [InlineData("df ff ff ff ff")]
    [InlineData("dc ff ff")]
    [InlineData("db 00 0f ff ff")]
    [InlineData("c6 00 0f ff ff")]
    [InlineData("c9 00 0f ff ff 01")]
    public void DeclaredLengthsBeyondTheFrameAreRejected(string header)
    {
        var frame = MsgPackBuilder.Frame([.. Hex("95 01 80 c0 a1 4d 91"), .. Hex(header)]);
        var protocol = new MessagePackHubProtocol(new MessagePackHubProtocolOptions
        {
            MaxStringLength = 1 << 20, MaxBinaryLength = 1 << 20, MaxCollectionLength = int.MaxValue,
        });

        Assert.Throws<InvalidDataException>(() => ParseOne(protocol, frame, _binder));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(MessagePackHubProtocolOptions.MaxDepthLimit + 1)]
    public void OutOfRangeMaxDepthIsRejectedAtConstruction(int maxDepth)
    {
        Assert.Throws<ArgumentException>(() => new MessagePackHubProtocol(new MessagePackHubProtocolOptions { MaxDepth = maxDepth }));
    }

    [Fact]
    public void NonPositiveLimitsAreRejectedAtConstruction()
    {
        Assert.Throws<ArgumentException>(() => new MessagePackHubProtocol(new MessagePackHubProtocolOptions { MaxStringLength = 0 }));
        Assert.Throws<ArgumentException>(() => new MessagePackHubProtocol(new MessagePackHubProtocolOptions { MaxCollectionLength = -1 }));
        Assert.Throws<ArgumentException>(() => new MessagePackHubProtocol(new MessagePackHubProtocolOptions { MaxFrameSize = 4 }));
    }

    /// <summary>An invocation whose single argument nests <paramref name="depth"/> arrays (plus the 2 envelope levels).</summary>
    private static byte[] Nested(int depth)
    {
        var builder = new MsgPackBuilder().Array(5).Int(1).Map(0).Nil().Str("M").Array(1);
        for (var i = 0; i < depth - 1; i++)
        {
            builder.Array(1);
        }

        return builder.Array(0).ToFrame();
    }

    private static byte[] Argument(string kind, int size)
    {
        var builder = new MsgPackBuilder().Array(5).Int(1).Map(0).Nil().Str("M").Array(1);
        switch (kind)
        {
            case "str":
                builder.Str(new string('s', size));
                break;
            case "bin":
                builder.Bin(new byte[size]);
                break;
            case "array":
                builder.Raw(0xdc, 0, (byte)size).Raw(new byte[size]);
                break;
            default:
                builder.Raw(0xde, 0, (byte)size);
                for (var i = 0; i < size; i++)
                {
                    builder.Str("k" + i).Int(i);
                }

                break;
        }

        return builder.ToFrame();
    }
}
