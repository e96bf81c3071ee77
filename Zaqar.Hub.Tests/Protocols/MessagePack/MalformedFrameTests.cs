using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Protocol;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>
/// What the official protocol, with the server's options, makes of malformed frames (issue 11): a frame whose envelope is
/// broken makes TryParseMessage throw (SignalR then closes that one connection); a broken or over-deep argument is a
/// binding failure (the caller gets an error completion and the connection serves on). Our own protocol closed the
/// connection for both; the README lists the difference.
/// </summary>
public class MalformedFrameTests
{
    private readonly TestBinder _binder = TestBinder.For("M", typeof(JsonElement));

    [Theory]
    [InlineData("a1 61")]                         // not an array
    [InlineData("90")]                            // no message type
    [InlineData("93 01 80 c0")]                   // an invocation cut short
    [InlineData("95 01 a0 c0 a1 4d 90")]          // headers that are not a map
    [InlineData("95 01 80 01 a1 4d 90")]          // an invocation id that is not a string
    [InlineData("95 01 80 c0 01 90")]             // a target that is not a string
    [InlineData("95 01 81 a1 6b 01 c0 a1 4d 90")] // a header value that is not a string
    [InlineData("95 03 80 a1 31 04 c0")]          // completion kind 4
    [InlineData("92 08 a1 31")]                   // an Ack whose id is a string
    [InlineData("cb 00 00")]                      // a truncated float where the array should be
    public void ABrokenEnvelopeMakesTheFrameThrow(string payloadHex)
    {
        var input = new ReadOnlySequence<byte>(MsgPackBuilder.Frame(Hex(payloadHex)));

        var thrown = Record.Exception(() => Server.TryParseMessage(ref input, _binder, out _));

        Assert.True(thrown is InvalidDataException or global::MessagePack.MessagePackSerializationException or EndOfStreamException,
            $"{payloadHex}: {thrown?.GetType().Name ?? "no exception"}: {thrown?.Message}");
    }

    [Theory]
    [InlineData("c1")]          // the never-used type code
    [InlineData("a5 61 62")]    // a truncated string
    [InlineData("c4 05 01")]    // truncated binary
    [InlineData("81 01 02")]    // a map key that is not a string
    [InlineData("a2 c3 28")]    // invalid UTF-8
    [InlineData("c7 01 05 00")] // an extension type with no JSON form
    [InlineData("d6 ff 01 02")] // a truncated timestamp
    public void ABrokenArgumentIsABindingFailure(string argumentHex)
    {
        var frame = MsgPackBuilder.Frame([.. Hex("95 01 80 a1 37 a1 4d 91"), .. Hex(argumentHex)]);

        var failure = Assert.IsType<InvocationBindingFailureMessage>(ParseOne(Server, frame, _binder));

        Assert.Equal(("7", "M"), (failure.InvocationId, failure.Target));
    }

    [Fact]
    public void AnArgumentNestedDeeperThanTheLimitIsABindingFailure()
    {
        Assert.IsType<InvocationMessage>(ParseOne(Server, Nested(depth: 64), _binder));
        Assert.IsType<InvocationBindingFailureMessage>(ParseOne(Server, Nested(depth: 65), _binder));
    }

    [Fact]
    public void AHundredThousandLevelsOfNestingAreABindingFailureWithoutOverflowingTheStack()
    {
        var payload = new byte[100_010];
        Hex("95 01 80 c0 a1 4d 91").CopyTo(payload, 0);
        payload.AsSpan(7).Fill(0x91);
        payload[^1] = 0xc0;

        Assert.IsType<InvocationBindingFailureMessage>(ParseOne(Server, MsgPackBuilder.Frame(payload), _binder));
    }

    [Theory]
    [InlineData("dd ff ff ff ff")]
    [InlineData("df ff ff ff ff")]
    [InlineData("db 7f ff ff ff")]
    [InlineData("c6 ff ff ff ff")]
    [InlineData("c9 ff ff ff ff 07")]
    public void HugeDeclaredLengthsAreBindingFailuresWithoutAllocatingThem(string header)
    {
        var frame = MsgPackBuilder.Frame([.. Hex("95 01 80 c0 a1 4d 91"), .. Hex(header)]);
        Assert.IsType<InvocationBindingFailureMessage>(ParseOne(Server, frame, _binder)); // and warm-up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            ParseOne(Server, frame, _binder);
        }

        var perCase = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.True(perCase < 16 * 1024, $"{perCase} bytes allocated per refused frame");
    }

    /// <summary>An invocation of M whose one argument is <paramref name="depth"/> arrays nested in each other.</summary>
    private static byte[] Nested(int depth) =>
        MsgPackBuilder.Frame([.. Hex("95 01 80 c0 a1 4d 91"), .. Enumerable.Repeat((byte)0x91, depth - 1), 0x90]);
}
