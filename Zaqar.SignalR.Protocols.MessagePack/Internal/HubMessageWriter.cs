using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.SignalR.Protocols.MessagePack.Serialization;

namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>
/// Writes a <see cref="HubMessage"/> in the layouts the official protocol uses: 6-element Invocation and
/// StreamInvocation (empty streamIds array when there are none), Completion kinds 1/2/3, a 3-element Close, nil for a
/// missing invocation id, an empty map for no headers.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class HubMessageWriter
{
    public static void Write(HubMessage message, MsgPackWriter writer, MsgPackSerializer serializer)
    {
        switch (message)
        {
            case InvocationMessage invocation:
                WriteInvocation(HubProtocolConstants.InvocationMessageType, invocation, invocation.InvocationId,
                    invocation.Target, invocation.Arguments, invocation.StreamIds, writer, serializer);
                break;
            case StreamInvocationMessage streamInvocation:
                WriteInvocation(HubProtocolConstants.StreamInvocationMessageType, streamInvocation, streamInvocation.InvocationId,
                    streamInvocation.Target, streamInvocation.Arguments, streamInvocation.StreamIds, writer, serializer);
                break;
            case StreamItemMessage streamItem:
                writer.WriteArrayHeader(4);
                writer.WriteInt64(HubProtocolConstants.StreamItemMessageType);
                WriteHeaders(streamItem.Headers, writer);
                writer.WriteString(streamItem.InvocationId);
                WriteArgument(streamItem.Item, writer, serializer);
                break;
            case CompletionMessage completion:
                WriteCompletion(completion, writer, serializer);
                break;
            case CancelInvocationMessage cancel:
                writer.WriteArrayHeader(3);
                writer.WriteInt64(HubProtocolConstants.CancelInvocationMessageType);
                WriteHeaders(cancel.Headers, writer);
                writer.WriteString(cancel.InvocationId);
                break;
            case PingMessage:
                writer.WriteArrayHeader(1);
                writer.WriteInt64(HubProtocolConstants.PingMessageType);
                break;
            case CloseMessage close:
                writer.WriteArrayHeader(3);
                writer.WriteInt64(HubProtocolConstants.CloseMessageType);
                writer.WriteString(string.IsNullOrEmpty(close.Error) ? null : close.Error);
                writer.WriteBoolean(close.AllowReconnect);
                break;
            case AckMessage ack:
                writer.WriteArrayHeader(2);
                writer.WriteInt64(HubProtocolConstants.AckMessageType);
                writer.WriteInt64(ack.SequenceId);
                break;
            case SequenceMessage sequence:
                writer.WriteArrayHeader(2);
                writer.WriteInt64(HubProtocolConstants.SequenceMessageType);
                writer.WriteInt64(sequence.SequenceId);
                break;
            default:
                throw new InvalidDataException($"Unexpected message type: {message.GetType().Name}");
        }
    }

    private static void WriteInvocation(
        int type,
        HubInvocationMessage message,
        string? invocationId,
        string target,
        object?[]? arguments,
        string[]? streamIds,
        MsgPackWriter writer,
        MsgPackSerializer serializer)
    {
        writer.WriteArrayHeader(6);
        writer.WriteInt64(type);
        WriteHeaders(message.Headers, writer);
        writer.WriteString(string.IsNullOrEmpty(invocationId) ? null : invocationId);
        writer.WriteString(target);
        writer.WriteArrayHeader(arguments?.Length ?? 0);
        foreach (var argument in arguments ?? [])
        {
            WriteArgument(argument, writer, serializer);
        }

        writer.WriteArrayHeader(streamIds?.Length ?? 0);
        foreach (var streamId in streamIds ?? [])
        {
            writer.WriteString(streamId);
        }
    }

    private static void WriteCompletion(CompletionMessage message, MsgPackWriter writer, MsgPackSerializer serializer)
    {
        var kind = message.Error is not null ? 1 : message.HasResult ? 3 : 2;
        writer.WriteArrayHeader(kind == 2 ? 4 : 5);
        writer.WriteInt64(HubProtocolConstants.CompletionMessageType);
        WriteHeaders(message.Headers, writer);
        writer.WriteString(message.InvocationId);
        writer.WriteInt64(kind);
        if (kind == 1)
        {
            writer.WriteString(message.Error);
        }
        else if (kind == 3)
        {
            WriteArgument(message.Result, writer, serializer);
        }
    }

    /// <summary>A <see cref="RawResult"/> is already MessagePack and is copied verbatim; anything else by its runtime type.</summary>
    private static void WriteArgument(object? argument, MsgPackWriter writer, MsgPackSerializer serializer)
    {
        if (argument is RawResult raw)
        {
            writer.WriteRaw(raw.RawSerializedData);
            return;
        }

        serializer.Write(writer, argument);
    }

    private static void WriteHeaders(IDictionary<string, string>? headers, MsgPackWriter writer)
    {
        writer.WriteMapHeader(headers?.Count ?? 0);
        foreach (var (key, value) in headers ?? Enumerable.Empty<KeyValuePair<string, string>>())
        {
            writer.WriteString(key);
            writer.WriteString(value);
        }
    }
}
