using System.Buffers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>Shared helpers that assert: writing, parsing whole buffers, binding single arguments.</summary>
public static partial class ProtocolTestKit
{
    public static byte[] Write(IHubProtocol protocol, HubMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(message, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Parses exactly one message from <paramref name="frame"/>, asserting that all of it was consumed.</summary>
    public static HubMessage ParseOne(IHubProtocol protocol, byte[] frame, IInvocationBinder binder)
    {
        var input = new ReadOnlySequence<byte>(frame);
        Assert.True(protocol.TryParseMessage(ref input, binder, out var message), "expected a whole message");
        Assert.Equal(0, input.Length);
        return message;
    }

    public static HubMessage RoundTrip(IHubProtocol protocol, HubMessage message, IInvocationBinder binder) =>
        ParseOne(protocol, Write(protocol, message), binder);

    /// <summary>Binds one argument of type <typeparamref name="T"/> sent as the MessagePack value <paramref name="argument"/>.</summary>
    public static HubMessage BindArgument<T>(Action<MsgPackBuilder> argument, MessagePackHubProtocol? protocol = null)
    {
        var builder = new MsgPackBuilder().Array(5).Int(1).Map(0).Str("1").Str("M").Array(1);
        argument(builder);
        return ParseOne(protocol ?? Server, builder.ToFrame(), TestBinder.For("M", typeof(T)));
    }

    /// <summary>Binds one argument and returns it, failing the test on a binding failure.</summary>
    public static T? Bind<T>(Action<MsgPackBuilder> argument, MessagePackHubProtocol? protocol = null)
    {
        var message = BindArgument<T>(argument, protocol);
        if (message is InvocationBindingFailureMessage failure)
        {
            Assert.Fail("binding failed: " + failure.BindingFailure.SourceException.Message);
        }

        return (T?)Assert.IsType<InvocationMessage>(message).Arguments[0];
    }

    /// <summary>Binds one argument that must fail, and returns the failure's message.</summary>
    public static string BindFailure<T>(Action<MsgPackBuilder> argument, MessagePackHubProtocol? protocol = null) =>
        Assert.IsType<InvocationBindingFailureMessage>(BindArgument<T>(argument, protocol)).BindingFailure.SourceException.Message;

    /// <summary>The MessagePack bytes the server's protocol writes for one value (as the single argument of an invocation).</summary>
    public static byte[] Encode(object? value, MessagePackHubProtocol? protocol = null)
    {
        var frame = (protocol ?? Server).GetMessageBytes(new InvocationMessage("M", [value])).ToArray();

        // Frame: prefix, then 96 01 80 c0 a1 4d 91 (7 bytes), the value, and 90; keep only the value.
        var prefixSize = 0;
        while ((frame[prefixSize++] & 0x80) != 0)
        {
        }

        var valueStart = prefixSize + 7;
        return frame[valueStart..^1];
    }
}
