using System.ComponentModel.DataAnnotations;

namespace Zaqar.Hub.Sockets;

/// <summary>Zaqar's websocket transport at <c>/v2/ws</c> (issue 13), bound from the "WebSocket" section.</summary>
public sealed class SocketOptions
{
    public const string SectionName = "WebSocket";

    /// <summary>Serve the transport (off: <c>/v2/ws</c> answers 404 like any unknown path).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The largest frame read (bytes, JSON or MessagePack); a larger one is read to its end, dropped and answered with 400.
    /// Room for a full post (Zaqar:MaxMessagesPostSize) and its envelope.
    /// </summary>
    [Range(1024, 64 * 1024 * 1024)] public int MaxFrameBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How deep a frame's values may nest. The envelope takes four levels above a message body
    /// (<c>{"body": {"messages": [{"body": ...}]}}</c>); what a body may hold is the common API layer's rule.
    /// </summary>
    [Range(8, 1000)] public int MaxDepth { get; set; } = 160;

    /// <summary>Messages a connection may have waiting to be pushed; past this it is closed (it reads too slowly).</summary>
    [Range(1, 10_000_000)] public int PushBufferMessages { get; set; } = 10_000;

    /// <summary>Bytes of pushes a connection may have waiting to be written; past this it is closed.</summary>
    [Range(1024, long.MaxValue)] public long PushBufferBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long a closing connection may take to write its close frame before it is aborted.</summary>
    [Range(0.01, 60)] public double CloseTimeoutSeconds { get; set; } = 2;
}
