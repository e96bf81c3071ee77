using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Zaqar.Hub.Api;
using Auth = Zaqar.Hub.Api.Auth;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Zaqar errors on the hub: a HubException whose message is one JSON object
/// <c>{"status": 400, "title": "...", "description": "..."}</c>, the same status, title and description REST
/// answers with. Clients read <c>HubException: {...}</c> (<see cref="HubErrorTextProtocol"/> leaves out the sentence
/// SignalR puts before it) and parse the JSON after that marker.
/// </summary>
internal static class HubErrors
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The HubException for <paramref name="ex"/>. It keeps <paramref name="ex"/> as its inner exception: that marks it as
    /// an answer, not a failure, for <see cref="HubLoggerFactory"/> (issue 10). Only the message reaches the client.
    /// </summary>
    public static HubException ToHubException(ZaqarException ex) =>
        new(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["status"] = ex.Status,
            ["title"] = ex.Title,
            ["description"] = ex.Description,
        }, Json), ex);

    /// <summary>True for the HubException of a Zaqar error: a call answered with Zaqar's status, not a fault of the service.</summary>
    public static bool IsZaqarAnswer(Exception? ex) => ex is HubException { InnerException: ZaqarException };

    /// <summary>Streams <paramref name="source"/>, turning Zaqar errors raised while streaming into HubExceptions.</summary>
    public static async IAsyncEnumerable<T> Translate<T>(IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var items = source.GetAsyncEnumerator(ct);
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (ZaqarException ex)
            {
                throw ToHubException(ex);
            }
            yield return items.Current;
        }
    }
}

/// <summary>
/// Runs before every hub call: the project's rate limit, the scope of a pre-signed connection; and turns every
/// Zaqar error a hub method (or connecting) throws into the HubException clients can read, logged as one line at
/// debug level as REST's answers are (issue 10: a client's mistake is no error of the service).
/// </summary>
internal sealed class ZaqarHubFilter(ProjectRateLimiter rateLimiter, ILogger<ZaqarHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            var caller = context.Context.Caller();
            rateLimiter.Acquire(caller);
            if (caller.Scope is not null)
            {
                var request = HubScopes.For(context.HubMethodName, context.HubMethodArguments) ?? throw Auth.SignedUrls.NotFound();
                caller.RequireScope(request.Method, request.Path);
            }
            return await next(context);
        }
        catch (ZaqarException ex)
        {
            HubLog.CallAnswered(logger, context.HubMethodName, ex.Status, ex.Title);
            throw HubErrors.ToHubException(ex);
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        try
        {
            await next(context);
        }
        catch (ZaqarException ex)
        {
            HubLog.ConnectAnswered(logger, ex.Status, ex.Title);
            throw HubErrors.ToHubException(ex);
        }
    }
}
