using System.Buffers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>
/// Compares our bytes with the shared framework's own MessagePack worker, reached through Blazor's internal
/// "blazorpack" protocol (Microsoft.AspNetCore.Components.Server.dll). It only serializes null, bool, string, int, long,
/// float and ArraySegment&lt;byte&gt; arguments (the 10.0 build rejects byte[][] when writing), so value comparisons stay
/// within those.
/// </summary>
public class BlazorPackOracleTests
{
    private static readonly IHubProtocol _oracle = LoadOracle();
    private readonly MessagePackHubProtocol _protocol = new();

    public static TheoryData<string> MessageNames => [.. Messages().Keys];

    public static TheoryData<string> ValueNames => [.. Values().Keys];

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void EveryMessageTypeMatchesTheOfficialWorkerByteForByte(string name)
    {
        var message = Messages()[name];
        Assert.Equal(ToHex(_oracle.GetMessageBytes(message).Span), ToHex(_protocol.GetMessageBytes(message).Span));
        Assert.Equal(ToHex(Write(_oracle, message)), ToHex(Write(_protocol, message)));
    }

    [Theory]
    [MemberData(nameof(ValueNames))]
    public void PrimitiveArgumentsMatchTheOfficialWorkerByteForByte(string name)
    {
        var message = new InvocationMessage("1", "M", [Values()[name]]);
        Assert.Equal(ToHex(_oracle.GetMessageBytes(message).Span), ToHex(_protocol.GetMessageBytes(message).Span));
    }

    [Theory]
    [InlineData(typeof(int), 0)]
    [InlineData(typeof(int), int.MinValue)]
    [InlineData(typeof(long), long.MaxValue)]
    [InlineData(typeof(string), "héllo")]
    [InlineData(typeof(bool), true)]
    [InlineData(typeof(float), 2.5f)]
    public void TheOfficialWorkerReadsWhatWeWrite(Type type, object value)
    {
        var bytes = _protocol.GetMessageBytes(new InvocationMessage("1", "M", [value])).ToArray();
        var input = new ReadOnlySequence<byte>(bytes);

        Assert.True(_oracle.TryParseMessage(ref input, TestBinder.For("M", type), out var parsed));
        Assert.Equal(value, Assert.IsType<InvocationMessage>(parsed).Arguments[0]);
    }

    [Fact]
    public void WeReadWhatTheOfficialWorkerWrites()
    {
        var types = new[] { typeof(int), typeof(long), typeof(string), typeof(bool), typeof(float), typeof(string) };
        object?[] values = [-70000, long.MinValue, new string('z', 300), false, -1.25f, null];
        var bytes = _oracle.GetMessageBytes(new InvocationMessage("7", "M", values)).ToArray();

        var parsed = Assert.IsType<InvocationMessage>(ParseOne(_protocol, bytes, TestBinder.For("M", types)));

        Assert.Equal(values, parsed.Arguments);
    }

    private static Dictionary<string, HubMessage> Messages()
    {
        var headers = new Dictionary<string, string> { ["a"] = "1", ["long-header"] = new string('h', 40) };
        return new Dictionary<string, HubMessage>
        {
            ["Invocation"] = new InvocationMessage("123", "Target", [1, "two", true]),
            ["InvocationNonBlocking"] = new InvocationMessage("Target", [null]),
            ["InvocationWithHeadersAndStreams"] = new InvocationMessage("1", "T", [], ["s1", "s2"]) { Headers = headers },
            ["InvocationNullArguments"] = new InvocationMessage("1", "T", null!),
            ["StreamInvocation"] = new StreamInvocationMessage("9", "Stream", [42L], ["up"]) { Headers = headers },
            ["StreamItem"] = new StreamItemMessage("9", "item") { Headers = headers },
            ["StreamItemNull"] = new StreamItemMessage("9", null),
            ["CompletionError"] = CompletionMessage.WithError("9", "failed"),
            ["CompletionVoid"] = CompletionMessage.Empty("9"),
            ["CompletionNullResult"] = CompletionMessage.WithResult("9", null),
            ["CompletionResult"] = new CompletionMessage("9", null, 12345, hasResult: true) { Headers = headers },
            ["CompletionRawResult"] = CompletionMessage.WithResult("9", new RawResult(new ReadOnlySequence<byte>([0x92, 0x01, 0xc0]))),
            ["CancelInvocation"] = new CancelInvocationMessage("9") { Headers = headers },
            ["Ping"] = PingMessage.Instance,
            ["CloseEmpty"] = CloseMessage.Empty,
            ["CloseEmptyError"] = new CloseMessage(string.Empty),
            ["CloseError"] = new CloseMessage("error"),
            ["CloseReconnect"] = new CloseMessage(null, allowReconnect: true),
            ["AckSmall"] = new AckMessage(1),
            ["AckLarge"] = new AckMessage(long.MaxValue),
            ["AckMedium"] = new AckMessage(70_000),
            ["Sequence"] = new SequenceMessage(4_294_967_296),
            ["LongTarget"] = new InvocationMessage("1", new string('t', 70_000), []),
        };
    }

    private static Dictionary<string, object?> Values()
    {
        var values = new Dictionary<string, object?>
        {
            ["null"] = null,
            ["true"] = true,
            ["false"] = false,
            ["emptyString"] = string.Empty,
            ["str31"] = new string('a', 31),
            ["str32"] = new string('a', 32),
            ["str255"] = new string('a', 255),
            ["str256"] = new string('a', 256),
            ["str65535"] = new string('a', 65_535),
            ["str65536"] = new string('a', 65_536),
            ["unicode"] = "ünïcødé ✓ 𝄞",
            ["float0"] = 0f,
            ["float"] = 3.14159f,
            ["floatNaN"] = float.NaN,
            ["floatNegInf"] = float.NegativeInfinity,
            ["bytesEmpty"] = new ArraySegment<byte>([]),
            ["bytes"] = new ArraySegment<byte>([1, 2, 3]),
            ["bytes256"] = new ArraySegment<byte>(new byte[256]),
            ["bytes65536"] = new ArraySegment<byte>(new byte[65_536]),
        };
        long[] edges =
        [
            0, 1, 127, 128, 255, 256, 65_535, 65_536, uint.MaxValue, uint.MaxValue + 1L, long.MaxValue,
            -1, -32, -33, -128, -129, -32_768, -32_769, int.MinValue, int.MinValue - 1L, long.MinValue,
        ];
        foreach (var edge in edges)
        {
            values[$"long{edge}"] = edge;
            if (edge is >= int.MinValue and <= int.MaxValue)
            {
                values[$"int{edge}"] = (int)edge;
            }
        }

        return values;
    }

    private static IHubProtocol LoadOracle()
    {
        var type = Type.GetType(
            "Microsoft.AspNetCore.Components.Server.BlazorPack.BlazorPackHubProtocol, Microsoft.AspNetCore.Components.Server",
            throwOnError: true)!;
        return (IHubProtocol)Activator.CreateInstance(type, nonPublic: true)!;
    }
}
