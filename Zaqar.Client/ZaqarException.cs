using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace Zaqar.Client;

/// <summary>
/// Every error of <see cref="ZaqarHubClient"/>: Zaqar's status, title and description, as REST answers the same mistake. The
/// hub sends them as <c>HubException: {"status": 400, "title": ..., "description": ...}</c>; a refused connection gives its
/// HTTP status. <see cref="Status"/> is 0 for a failure the service gave no status for (SignalR's own errors, a closed
/// connection); the message then says what happened.
/// </summary>
public sealed class ZaqarException : Exception
{
    private const string Marker = "HubException: ";

    /// <summary>An error with Zaqar's status, title and description.</summary>
    public ZaqarException(int status, string title, string? description, Exception? inner = null)
        : base(description is null ? $"{status} {title}" : $"{status} {title}: {description}", inner)
    {
        Status = status;
        Title = title;
        Description = description;
    }

    /// <summary>REST's HTTP status for the same mistake (404, 409, ...), or 0 when the service gave none.</summary>
    public int Status { get; }

    /// <summary>REST's error title.</summary>
    public string Title { get; }

    /// <summary>REST's error description, when it has one.</summary>
    public string? Description { get; }

    /// <summary>The Zaqar error of a failed hub call (the JSON after the last "HubException: "), or a status-0 error.</summary>
    public static ZaqarException From(HubException failure)
    {
        var text = failure.Message;
        var at = text.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            try
            {
                using var document = JsonDocument.Parse(text.AsMemory(at + Marker.Length));
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object &&
                    root.TryGetProperty("status", out var status) && status.TryGetInt32(out var code) &&
                    root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String)
                {
                    var description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                    return new ZaqarException(code, title.GetString()!, description, failure);
                }
            }
            catch (JsonException)
            {
                // Not Zaqar's JSON: SignalR's own text follows.
            }
        }
        return new ZaqarException(0, "Hub error", text, failure);
    }

    /// <summary>A refused or failed connection attempt: its HTTP status when there is one.</summary>
    internal static ZaqarException FromConnect(Exception failure) => failure switch
    {
        HttpRequestException { StatusCode: { } status } => new((int)status, Reason(status), failure.Message, failure),
        _ => new ZaqarException(0, "Connection failed", failure.Message, failure),
    };

    private static string Reason(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => "Bad Request",
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.NotFound => "Not Found",
        HttpStatusCode.TooManyRequests => "Too Many Requests",
        _ => status.ToString(),
    };
}
