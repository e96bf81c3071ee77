using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Zaqar.Serialization;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

// No xunit here: the bench links this file (with ProtocolFuzzer.cs, MsgPackBuilder.cs and BindingTestModels.cs)
// for its longer fuzz run.

/// <summary>An <see cref="IInvocationBinder"/> with fixed targets, stream ids and pending invocations.</summary>
public sealed class TestBinder : IInvocationBinder
{
    public Dictionary<string, Type[]> Targets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Type> StreamItems { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Type> Returns { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<Type> GetParameterTypes(string methodName) =>
        Targets.TryGetValue(methodName, out var types) ? types : throw new HubException($"Method '{methodName}' does not exist.");

    public Type GetReturnType(string invocationId) =>
        Returns.TryGetValue(invocationId, out var type) ? type : throw new KeyNotFoundException($"No pending invocation '{invocationId}'.");

    public Type GetStreamItemType(string streamId) =>
        StreamItems.TryGetValue(streamId, out var type) ? type : throw new KeyNotFoundException($"No stream '{streamId}'.");

    public static TestBinder For(string target, params Type[] parameterTypes)
    {
        var binder = new TestBinder();
        binder.Targets[target] = parameterTypes;
        return binder;
    }
}

/// <summary>Shared helpers without assertions: the server's protocol, hex, multi-segment sequences.</summary>
public static partial class ProtocolTestKit
{
    /// <summary>The official MessagePack protocol with the server's options (issue 11), as the hub runs it.</summary>
    public static MessagePackHubProtocol Server { get; } = Official(ZaqarMessagePack.ServerOptions);

    /// <summary>The official MessagePack protocol with the given serializer options.</summary>
    public static MessagePackHubProtocol Official(global::MessagePack.MessagePackSerializerOptions options) =>
        new(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = options }));

    public static byte[] Hex(string hex) =>
        Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string ToHex(ReadOnlySpan<byte> bytes) =>
        string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>Splits <paramref name="data"/> into a sequence with a segment boundary at each given offset.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] data, params int[] cuts)
    {
        var bounds = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().Append(data.Length).ToArray();
        var first = new Segment(data.AsMemory(0, bounds[0]), 0);
        var last = first;
        for (var i = 1; i < bounds.Length; i++)
        {
            last = last.Append(data.AsMemory(bounds[i - 1], bounds[i] - bounds[i - 1]));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
