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
            await ErrorResponse.WriteAsync(http, ex.Status, ex.Title, ex.Description, ex.Headers);
        }
        catch (BadHttpRequestException ex)
        {
            await ErrorResponse.WriteAsync(http, ex.StatusCode, "Invalid request body", "Request body could not be read.");
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception ex)
        {
            UnexpectedError(logger, http.Request.Method, http.Request.Path, ex);
            await ErrorResponse.WriteAsync(http, 500, "Internal server error", "An unexpected error occurred.");
        }
    }

    [LoggerMessage(1, LogLevel.Error, "Unexpected error in {Method} {Path}", EventName = "UnexpectedError")]
    private static partial void UnexpectedError(ILogger logger, string method, string path, Exception exception);
}
