using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace Zaqar.SignalR.Client;

/// <summary>
/// A Zaqar error as the hub reports it: REST's status, title and description, the JSON object that follows SignalR's
/// "... HubException: " prefix in an error completion.
/// </summary>
/// <param name="Status">The HTTP status REST answers with for the same mistake.</param>
/// <param name="Title">REST's error title.</param>
/// <param name="Description">REST's error description, when it has one.</param>
public sealed record ZaqarHubError(int Status, string Title, string? Description)
{
    private const string Prefix = "HubException: ";

    /// <summary>Parses the Zaqar error out of a hub error string; null when the string carries none.</summary>
    /// <param name="error">The error string of an error completion (or of a Close message).</param>
    public static ZaqarHubError? TryParse(string? error)
    {
        var at = error?.IndexOf(Prefix, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(error.AsMemory(at + Prefix.Length));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Number ||
                !root.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            var description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return new ZaqarHubError(status.GetInt32(), title.GetString()!, description);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The server answered an invocation or stream with an error completion.</summary>
public sealed class HubInvocationException : Exception
{
    /// <summary>Creates the exception for the server's error string.</summary>
    /// <param name="method">The hub method that failed.</param>
    /// <param name="serverError">The error string of the completion, verbatim.</param>
    public HubInvocationException(string method, string serverError)
        : base($"'{method}' failed on the server: {serverError}")
    {
        Method = method;
        ServerError = serverError;
        ZaqarError = ZaqarHubError.TryParse(serverError);
    }

    /// <summary>The hub method that failed.</summary>
    public string Method { get; }

    /// <summary>The error string of the completion, verbatim.</summary>
    public string ServerError { get; }

    /// <summary>The Zaqar error the string carries, or null when it is another SignalR error.</summary>
    public ZaqarHubError? ZaqarError { get; }
}

/// <summary>Connecting failed: the upgrade was refused (with its HTTP status when known), negotiate failed, or the handshake did.</summary>
public sealed class HubConnectException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="statusCode">The HTTP status of a refused request, when known.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public HubConnectException(string message, HttpStatusCode? statusCode = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status of a refused negotiate or upgrade request, when known.</summary>
    public HttpStatusCode? StatusCode { get; }
}

/// <summary>Why a connection ended.</summary>
/// <param name="Error">The error of the server's Close message; null when it sent none or closed without an error.</param>
/// <param name="CloseMessageReceived">True when the server sent a SignalR Close message.</param>
/// <param name="AllowReconnect">The Close message's allowReconnect flag.</param>
/// <param name="CloseStatus">The WebSocket close status, when the socket was closed with a close frame.</param>
/// <param name="Exception">A transport or protocol failure that ended the connection, or null.</param>
public sealed record HubCloseReason(
    string? Error, bool CloseMessageReceived, bool AllowReconnect, WebSocketCloseStatus? CloseStatus, Exception? Exception);

/// <summary>A call could not complete because the connection ended first.</summary>
public sealed class HubConnectionClosedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the connection ended.</param>
    public HubConnectionClosedException(HubCloseReason reason)
        : base("The hub connection is closed" + (reason.Error is null ? "." : $": {reason.Error}"), reason.Exception)
    {
        Reason = reason;
    }

    /// <summary>Why the connection ended.</summary>
    public HubCloseReason Reason { get; }
}
