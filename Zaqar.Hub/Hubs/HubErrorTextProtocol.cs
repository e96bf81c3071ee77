using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Wraps a hub protocol (JSON, MessagePack) so that an error completion caused by a <see cref="HubException"/> reads
/// <c>HubException: {"status": 400, "title": ..., "description": ...}</c> instead of SignalR's
/// <c>An unexpected error occurred invoking 'CreateClaim' on the server. HubException: {...}</c>.
/// </summary>
/// <remarks>
/// SignalR's dispatcher writes that sentence before the message of every HubException, and no option turns it off. But
/// a client's mistake is not an unexpected error, and a person reading the text should not be told it is. The
/// <c>HubException: </c> marker stays, so the documented rule (the JSON after the last <c>HubException: </c>) holds.
/// Only those two sentences of SignalR's are dropped; every other error text passes unchanged. Parsing is the inner
/// protocol's, except that a frame of an unknown message type is skipped (see <see cref="TryParseMessage"/>). Thread-safe
/// as the inner protocol is.
/// </remarks>
public sealed partial class HubErrorTextProtocol(IHubProtocol inner) : IHubProtocol
{
    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    /// <summary>
    /// The inner protocol's next message, skipping frames of message types it does not know. The official protocols consume
    /// such a frame and return false, which SignalR takes for "wait for more bytes": every later message of the connection
    /// would wait behind it until the connection timed out (issue 11).
    /// </summary>
    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        while (true)
        {
            var before = input.Length;
            if (inner.TryParseMessage(ref input, binder, out message))
            {
                return true;
            }
            if (input.Length == before || input.IsEmpty)
            {
                return false;
            }
        }
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(Plain(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(Plain(message));

    /// <summary>The message, with SignalR's "unexpected error" sentence taken off a HubException's error text.</summary>
    public static HubMessage Plain(HubMessage message) =>
        message is CompletionMessage { InvocationId: { } id, Error: { } error } completion && SignalRSentence().Match(error) is { Success: true } match
            ? new CompletionMessage(id, error[match.Length..], result: null, hasResult: false) { Headers = completion.Headers }
            : message;

    // SignalR's words before a HubException's message, for an invocation and for a stream (DefaultHubDispatcher).
    [GeneratedRegex(@"\A(?:An unexpected error occurred invoking '[^']*' on the server\.|An error occurred on the server while streaming results\.) (?=HubException: )")]
    private static partial Regex SignalRSentence();
}
