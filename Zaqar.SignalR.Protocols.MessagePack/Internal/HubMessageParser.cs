using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.SignalR.Protocols.MessagePack.Serialization;

namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>
/// Turns one validated frame payload into a <see cref="HubMessage"/>. A message of the wrong shape throws
/// <see cref="InvalidDataException"/>; arguments, stream items and results that do not fit their .NET types become
/// binding failures (or a Completion error), never exceptions. Extra trailing array elements are ignored.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static partial class HubMessageParser
{
    private const int ErrorResult = 1;
    private const int VoidResult = 2;
    private const int NonVoidResult = 3;

    /// <summary>Returns the message, or <see langword="null"/> for a message type this protocol version does not know.</summary>
    public static HubMessage? Parse(ReadOnlySpan<byte> payload, IInvocationBinder binder, MsgPackSerializer serializer)
    {
        var reader = new MsgPackReader(payload);
        if (reader.NextType != MsgPackType.Array)
        {
            throw new InvalidDataException($"A message must be a MessagePack array, not {MsgPackCode.NameOf(reader.NextType)}.");
        }

        var count = reader.ReadArrayHeader();
        if (count < 1 || reader.NextType != MsgPackType.Integer)
        {
            throw new InvalidDataException("A message must start with its integer message type.");
        }

        var rawType = reader.ReadInteger();
        var type = rawType >= 0 && rawType <= int.MaxValue ? (int)rawType : -1;
        var (name, minimum) = type switch
        {
            HubProtocolConstants.InvocationMessageType => ("Invocation", 5),
            HubProtocolConstants.StreamItemMessageType => ("StreamItem", 4),
            HubProtocolConstants.CompletionMessageType => ("Completion", 4),
            HubProtocolConstants.StreamInvocationMessageType => ("StreamInvocation", 5),
            HubProtocolConstants.CancelInvocationMessageType => ("CancelInvocation", 3),
            HubProtocolConstants.PingMessageType => ("Ping", 1),
            HubProtocolConstants.CloseMessageType => ("Close", 2),
            HubProtocolConstants.AckMessageType => ("Ack", 2),
            HubProtocolConstants.SequenceMessageType => ("Sequence", 2),
            _ => (null, 0),
        };
        if (name is null)
        {
            // Later protocol versions may add message types; like the official clients, skip what we do not know.
            return null;
        }

        if (count < minimum)
        {
            throw new InvalidDataException($"A {name} message needs at least {minimum} elements; it has {count}.");
        }

        try
        {
            return type switch
            {
                HubProtocolConstants.InvocationMessageType => ParseInvocation(ref reader, count, binder, serializer, stream: false),
                HubProtocolConstants.StreamInvocationMessageType => ParseInvocation(ref reader, count, binder, serializer, stream: true),
                HubProtocolConstants.StreamItemMessageType => ParseStreamItem(ref reader, binder, serializer),
                HubProtocolConstants.CompletionMessageType => ParseCompletion(ref reader, count, binder, serializer),
                HubProtocolConstants.CancelInvocationMessageType => ParseCancelInvocation(ref reader),
                HubProtocolConstants.PingMessageType => PingMessage.Instance,
                HubProtocolConstants.CloseMessageType => ParseClose(ref reader, count),
                HubProtocolConstants.AckMessageType => new AckMessage(reader.ReadInt64()),
                _ => new SequenceMessage(reader.ReadInt64()),
            };
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Invalid {name} message: {ex.Message}", ex);
        }
    }

    private static HubMessage ParseInvocation(
        ref MsgPackReader reader, int count, IInvocationBinder binder, MsgPackSerializer serializer, bool stream)
    {
        var headers = ReadHeaders(ref reader);
        var id = stream ? ReadRequiredId(ref reader) : ReadId(ref reader);
        var target = ReadTarget(ref reader, binder);
        if (reader.NextType != MsgPackType.Array)
        {
            throw new InvalidDataException($"The arguments must be an array, not {MsgPackCode.NameOf(reader.NextType)}.");
        }

        object?[] arguments;
        try
        {
            arguments = BindArguments(ref reader, binder.GetParameterTypes(target), target, serializer);
        }
        catch (Exception ex)
        {
            // An unknown target (the binder throws) or arguments that do not fit: SignalR reports it to the caller.
            return new InvocationBindingFailureMessage(id, target, ExceptionDispatchInfo.Capture(ex));
        }

        var streamIds = count > 5 ? ReadStreamIds(ref reader) : null;
        HubInvocationMessage message = stream
            ? new StreamInvocationMessage(id!, target, arguments, streamIds)
            : new InvocationMessage(id, target, arguments, streamIds);
        return WithHeaders(message, headers);
    }

    private static object?[] BindArguments(
        ref MsgPackReader reader, IReadOnlyList<Type> parameterTypes, string target, MsgPackSerializer serializer)
    {
        var count = reader.ReadArrayHeader();
        if (count != parameterTypes.Count)
        {
            throw new InvalidDataException($"Invocation provides {count} argument(s) but target '{target}' expects {parameterTypes.Count}.");
        }

        var arguments = new object?[count];
        for (var i = 0; i < count; i++)
        {
            try
            {
                arguments[i] = serializer.Read(ref reader, parameterTypes[i]);
            }
            catch (Exception ex)
            {
                throw new InvalidDataException(
                    $"Error binding argument {i + 1} of '{target}' ({TypeNames.Of(parameterTypes[i])}): {ex.Message}", ex);
            }
        }

        return arguments;
    }

    private static HubMessage ParseStreamItem(ref MsgPackReader reader, IInvocationBinder binder, MsgPackSerializer serializer)
    {
        var headers = ReadHeaders(ref reader);
        var id = ReadRequiredId(ref reader);
        object? item;
        try
        {
            item = serializer.Read(ref reader, binder.GetStreamItemType(id));
        }
        catch (Exception ex)
        {
            return new StreamBindingFailureMessage(id, ExceptionDispatchInfo.Capture(ex));
        }

        return WithHeaders(new StreamItemMessage(id, item), headers);
    }

    private static CompletionMessage ParseCompletion(
        ref MsgPackReader reader, int count, IInvocationBinder binder, MsgPackSerializer serializer)
    {
        var headers = ReadHeaders(ref reader);
        var id = ReadRequiredId(ref reader);
        var rawKind = reader.NextType == MsgPackType.Integer ? reader.ReadInteger() : throw reader.Unexpected("the result kind");
        if (rawKind < ErrorResult || rawKind > NonVoidResult)
        {
            throw new InvalidDataException($"Invalid invocation result kind {rawKind}.");
        }

        var kind = (int)rawKind;
        if (kind is ErrorResult or NonVoidResult && count < 5)
        {
            throw new InvalidDataException($"A Completion of result kind {kind} needs 5 elements; it has {count}.");
        }

        string? error = null;
        object? result = null;
        var hasResult = false;
        switch (kind)
        {
            case ErrorResult:
                error = reader.ReadStringOrNil();
                break;
            case VoidResult:
                break;
            default:
                hasResult = true;
                var resultType = TryGetReturnType(binder, id);
                if (resultType is null)
                {
                    reader.Skip();
                }
                else if (resultType == typeof(RawResult))
                {
                    result = new RawResult(new System.Buffers.ReadOnlySequence<byte>(reader.ReadRaw().ToArray()));
                }
                else
                {
                    try
                    {
                        result = serializer.Read(ref reader, resultType);
                    }
                    catch (Exception ex)
                    {
                        // The same shape SignalR uses, so client-result callers see a familiar error.
                        error = $"Error trying to deserialize result to {resultType.Name}. {ex.Message}";
                        hasResult = false;
                    }
                }

                break;
        }

        return WithHeaders(new CompletionMessage(id, error, result, hasResult), headers);
    }

    private static CancelInvocationMessage ParseCancelInvocation(ref MsgPackReader reader)
    {
        var headers = ReadHeaders(ref reader);
        return WithHeaders(new CancelInvocationMessage(ReadRequiredId(ref reader)), headers);
    }

    private static CloseMessage ParseClose(ref MsgPackReader reader, int count)
    {
        var error = reader.ReadStringOrNil();
        var allowReconnect = count > 2 && reader.ReadBoolean();
        return error is null && !allowReconnect ? CloseMessage.Empty : new CloseMessage(error, allowReconnect);
    }
}
