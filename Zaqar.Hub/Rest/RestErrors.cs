using System.Text.Encodings.Web;
using System.Text.Json;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Rest;

/// <summary>
/// Renders every failure of a REST request as Zaqar's error body <c>{"title", "description"}</c>: API errors with
/// their status, unknown routes as 404, anything unexpected as 500 (logged, never shown).
/// </summary>
internal sealed partial class RestErrors(RequestDelegate next, ILogger<RestErrors> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        catch (ZaqarException ex)
        {
            await WriteAsync(http, ex.Status, ex.Title, ex.Description, ex.Headers);
        }
        catch (BadHttpRequestException ex)
        {
            await WriteAsync(http, ex.StatusCode, "Invalid request body", "Request body could not be read.");
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception ex)
        {
            UnexpectedError(logger, http.Request.Method, http.Request.Path, ex);
            await WriteAsync(http, 500, "Internal server error", "An unexpected error occurred.");
        }
    }

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

    [LoggerMessage(1, LogLevel.Error, "Unexpected error in {Method} {Path}", EventName = "UnexpectedError")]
    private static partial void UnexpectedError(ILogger logger, string method, string path, Exception exception);
}
