using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>The envelope fields shared by several message types: headers, ids, target, stream ids.</summary>
internal static partial class HubMessageParser
{
    private static Dictionary<string, string>? ReadHeaders(ref MsgPackReader reader)
    {
        if (reader.NextType != MsgPackType.Map)
        {
            throw new InvalidDataException($"The headers must be a map, not {MsgPackCode.NameOf(reader.NextType)}.");
        }

        var count = reader.ReadMapHeader();
        if (count == 0)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            if (key.Length == 0)
            {
                throw new InvalidDataException("A header name is empty.");
            }

            headers[key] = reader.NextType == MsgPackType.String
                ? reader.ReadString()
                : throw new InvalidDataException($"The value of header '{key}' must be a string.");
        }

        return headers;
    }

    /// <summary>Reads an invocation id: a str, or nil (no id: a non-blocking invocation). An empty id counts as none.</summary>
    private static string? ReadId(ref MsgPackReader reader)
    {
        var id = reader.NextType is MsgPackType.String or MsgPackType.Nil
            ? reader.ReadStringOrNil()
            : throw new InvalidDataException($"The invocation id must be a string, not {MsgPackCode.NameOf(reader.NextType)}.");
        return string.IsNullOrEmpty(id) ? null : id;
    }

    private static string ReadRequiredId(ref MsgPackReader reader) =>
        ReadId(ref reader) ?? throw new InvalidDataException("The invocation id is missing.");

    private static string ReadTarget(ref MsgPackReader reader, IInvocationBinder binder)
    {
        if (reader.NextType != MsgPackType.String)
        {
            throw new InvalidDataException($"The target must be a string, not {MsgPackCode.NameOf(reader.NextType)}.");
        }

        var utf8 = reader.ReadStringBytes();
        var target = binder.GetTarget(utf8) ?? Encoding.UTF8.GetString(utf8);
        return target.Length > 0 ? target : throw new InvalidDataException("The target is empty.");
    }

    private static string[]? ReadStreamIds(ref MsgPackReader reader)
    {
        if (reader.NextType != MsgPackType.Array)
        {
            throw new InvalidDataException($"The stream ids must be an array, not {MsgPackCode.NameOf(reader.NextType)}.");
        }

        var count = reader.ReadArrayHeader();
        if (count == 0)
        {
            return null;
        }

        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = ReadRequiredId(ref reader);
        }

        return ids;
    }

    private static Type? TryGetReturnType(IInvocationBinder binder, string id)
    {
        try
        {
            return binder.GetReturnType(id);
        }
        catch (Exception)
        {
            // An unknown id (the caller gave up, or never asked): the result is skipped, as in SignalR.
            return null;
        }
    }

    private static T WithHeaders<T>(T message, Dictionary<string, string>? headers)
        where T : HubInvocationMessage
    {
        if (headers is not null)
        {
            message.Headers = headers;
        }

        return message;
    }
}
