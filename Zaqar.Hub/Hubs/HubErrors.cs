using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Zaqar errors on the hub: a HubException whose message is one JSON object
/// <c>{"status": 400, "title": "...", "description": "..."}</c>, the same status, title and description REST
/// answers with. SignalR prefixes it ("... HubException: "); clients parse the JSON after that prefix.
/// </summary>
internal static class HubErrors
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static HubException ToHubException(ZaqarException ex) =>
        new(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["status"] = ex.Status,
            ["title"] = ex.Title,
            ["description"] = ex.Description,
        }, Json));

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

/// <summary>Turns every Zaqar error a hub method throws into the HubException clients can read.</summary>
internal sealed class ZaqarHubFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (ZaqarException ex)
        {
            throw HubErrors.ToHubException(ex);
        }
    }
}
