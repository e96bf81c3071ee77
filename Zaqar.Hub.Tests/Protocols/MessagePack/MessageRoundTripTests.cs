using System.Buffers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

public class MessageRoundTripTests
{
    private static readonly Dictionary<string, string> _headers = new() { ["trace"] = "abc", ["tenant"] = "t1" };

    private readonly MessagePackHubProtocol _protocol = new();

    [Fact]
    public void InvocationRoundTripsWithHeadersIdArgumentsAndStreamIds()
    {
        var binder = TestBinder.For("Send", typeof(string), typeof(int), typeof(double?));
        var sent = new InvocationMessage("12", "Send", ["body", 7, null], ["s1", "s2"]) { Headers = _headers };

        var received = Assert.IsType<InvocationMessage>(RoundTrip(_protocol, sent, binder));

        Assert.Equal("12", received.InvocationId);
        Assert.Equal("Send", received.Target);
        Assert.Equal(["body", 7, null], received.Arguments);
        Assert.Equal(["s1", "s2"], received.StreamIds!);
        Assert.Equal(_headers, received.Headers);
    }

    [Fact]
    public void NonBlockingInvocationKeepsANullId()
    {
        var received = Assert.IsType<InvocationMessage>(RoundTrip(_protocol, new InvocationMessage("Send", []), TestBinder.For("Send")));
        Assert.Null(received.InvocationId);
        Assert.Null(received.StreamIds);
    }

    [Fact]
    public void StreamInvocationRoundTrips()
    {
        var sent = new StreamInvocationMessage("3", "Counter", [10], ["up"]) { Headers = _headers };
        var received = Assert.IsType<StreamInvocationMessage>(RoundTrip(_protocol, sent, TestBinder.For("Counter", typeof(int))));

        Assert.Equal("3", received.InvocationId);
        Assert.Equal("Counter", received.Target);
        Assert.Equal([10], received.Arguments);
        Assert.Equal(["up"], received.StreamIds!);
        Assert.Equal(_headers, received.Headers);
    }

    [Fact]
    public void StreamItemRoundTripsUsingTheStreamItemType()
    {
        var binder = new TestBinder();
        binder.StreamItems["up"] = typeof(long);
        var received = Assert.IsType<StreamItemMessage>(RoundTrip(_protocol, new StreamItemMessage("up", 5L) { Headers = _headers }, binder));

        Assert.Equal("up", received.InvocationId);
        Assert.Equal(5L, received.Item);
        Assert.Equal(_headers, received.Headers);
    }

    [Fact]
    public void CompletionRoundTripsInAllThreeKinds()
    {
        var binder = new TestBinder();
        binder.Returns["r"] = typeof(string);

        var error = Assert.IsType<CompletionMessage>(RoundTrip(_protocol, CompletionMessage.WithError("e", "boom"), binder));
        Assert.Equal(("e", "boom", false), (error.InvocationId, error.Error, error.HasResult));

        var empty = Assert.IsType<CompletionMessage>(RoundTrip(_protocol, CompletionMessage.Empty("v"), binder));
        Assert.Equal(("v", null, false), (empty.InvocationId, empty.Error, empty.HasResult));

        var result = Assert.IsType<CompletionMessage>(RoundTrip(_protocol, CompletionMessage.WithResult("r", "ok"), binder));
        Assert.Equal(("r", "ok", true), (result.InvocationId, result.Result, result.HasResult));
    }

    [Fact]
    public void CompletionForAnUnknownInvocationSkipsTheResult()
    {
        var received = Assert.IsType<CompletionMessage>(RoundTrip(_protocol, CompletionMessage.WithResult("gone", new[] { 1, 2 }), new TestBinder()));
        Assert.True(received.HasResult);
        Assert.Null(received.Result);
    }

    [Fact]
    public void CompletionResultThatDoesNotFitBecomesAnError()
    {
        var binder = new TestBinder();
        binder.Returns["r"] = typeof(int);
        var received = Assert.IsType<CompletionMessage>(RoundTrip(_protocol, CompletionMessage.WithResult("r", "text"), binder));

        Assert.False(received.HasResult);
        Assert.StartsWith("Error trying to deserialize result to Int32.", received.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void RawResultIsReadAndWrittenVerbatim()
    {
        var binder = new TestBinder();
        binder.Returns["r"] = typeof(RawResult);
        var raw = Hex("93 01 a1 61 c3"); // [1, "a", true]

        var frame = new MsgPackBuilder().Array(5).Int(3).Map(0).Str("r").Int(3).Raw(raw).ToFrame();
        var received = Assert.IsType<CompletionMessage>(ParseOne(_protocol, frame, binder));
        var result = Assert.IsType<RawResult>(received.Result);
        Assert.Equal(raw, result.RawSerializedData.ToArray());

        Assert.Equal(frame, Write(_protocol, CompletionMessage.WithResult("r", result)));
        var invocation = Write(_protocol, new InvocationMessage("T", [new RawResult(new ReadOnlySequence<byte>(raw))]));
        Assert.Equal("0d 96 01 80 c0 a1 54 91 93 01 a1 61 c3 90", ToHex(invocation));
    }

    [Fact]
    public void CancelInvocationRoundTrips()
    {
        var received = Assert.IsType<CancelInvocationMessage>(RoundTrip(_protocol, new CancelInvocationMessage("9") { Headers = _headers }, new TestBinder()));
        Assert.Equal("9", received.InvocationId);
        Assert.Equal(_headers, received.Headers);
    }

    [Fact]
    public void PingRoundTripsToTheSharedInstance()
    {
        Assert.Same(PingMessage.Instance, RoundTrip(_protocol, PingMessage.Instance, new TestBinder()));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData("server shutting down", false)]
    [InlineData("try again", true)]
    public void CloseRoundTrips(string? error, bool allowReconnect)
    {
        var received = Assert.IsType<CloseMessage>(RoundTrip(_protocol, new CloseMessage(error, allowReconnect), new TestBinder()));
        Assert.Equal((error, allowReconnect), (received.Error, received.AllowReconnect));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(300L)]
    [InlineData(long.MaxValue)]
    public void AckAndSequenceRoundTrip(long sequenceId)
    {
        Assert.Equal(sequenceId, Assert.IsType<AckMessage>(RoundTrip(_protocol, new AckMessage(sequenceId), new TestBinder())).SequenceId);
        Assert.Equal(sequenceId, Assert.IsType<SequenceMessage>(RoundTrip(_protocol, new SequenceMessage(sequenceId), new TestBinder())).SequenceId);
    }

    [Fact]
    public void GetMessageBytesEqualsWhatWriteMessageWrites()
    {
        var message = new InvocationMessage("1", "Send", ["x", 1, true]);
        Assert.Equal(Write(_protocol, message), _protocol.GetMessageBytes(message).ToArray());
    }
}
