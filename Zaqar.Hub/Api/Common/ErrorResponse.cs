using System.Text.Encodings.Web;
using System.Text.Json;

namespace Zaqar.Hub.Api;

/// <summary>
/// Zaqar's error body <c>{"title", "description"}</c> as an HTTP answer, with its status and extra headers: written by
/// REST for every failed request and by the hub for a refused connection request, from this one place (issue 12 item 7).
/// </summary>
public static class ErrorResponse
{
    public static async Task WriteAsync(
        HttpContext http, int status, string title, string? description, IReadOnlyDictionary<string, string>? headers = null)
    {
        if (http.Response.HasStarted)
        {
            return;
        }
        http.Response.Clear();
        http.Response.StatusCode = status;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            http.Response.Headers[name] = value;
        }
        http.Response.ContentType = "application/json; charset=UTF-8";
        await using var writer = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteString("title", title);
        if (description is not null)
        {
            writer.WriteString("description", description);
        }
        writer.WriteEndObject();
        await writer.FlushAsync(http.RequestAborted);
    }
}

/// <summary>
/// The error body <see cref="ErrorResponse"/> writes, as a type: the OpenAPI document (issue 15) shows it as the answer of
/// every failure. <c>description</c> is left out when there is none (a 404 for a path no route serves).
/// </summary>
public sealed record ErrorView(
    [property: System.Text.Json.Serialization.JsonPropertyName("title")] string Title,
    [property: System.Text.Json.Serialization.JsonPropertyName("description")] string? Description = null);
