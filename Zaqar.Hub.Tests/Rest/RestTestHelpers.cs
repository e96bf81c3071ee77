using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>Small helpers of the REST contract tests: raw requests, other service instances, stats and claims.</summary>
internal static class RestTestHelpers
{
    /// <summary>The two v2 headers a valid request carries, for a fresh project.</summary>
    public static Dictionary<string, string> ValidHeaders() => new()
    {
        ["Client-ID"] = Guid.NewGuid().ToString(),
        ["X-Project-ID"] = "p-" + Guid.NewGuid().ToString("N")[..12],
    };

    /// <summary>A client of a fresh project on another service instance (one with its own settings).</summary>
    public static ZaqarClient NewProject(this ZaqarFactory factory, string? clientId = null) =>
        new(factory.CreateClient(), "p-" + Guid.NewGuid().ToString("N")[..12], clientId ?? Guid.NewGuid().ToString());

    /// <summary>
    /// Sends a request with exactly <paramref name="headers"/> (none of a <see cref="ZaqarClient"/>'s defaults). The
    /// response's headers include the content headers (Content-Type).
    /// </summary>
    public static async Task<ZaqarClient.Response> RawAsync(
        this ZaqarFactory factory, HttpMethod method, string path, IReadOnlyDictionary<string, string>? headers = null,
        string? body = null, string? contentType = "application/json")
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value), name);
        }
        var ct = TestContext.Current.CancellationToken;
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var all = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ZaqarClient.Response(response.StatusCode, text, response.Headers.Location?.OriginalString, all);
    }

    /// <summary>The queue's <c>messages.total</c> from its stats.</summary>
    public static async Task<long> TotalAsync(this ZaqarClient client, string queue)
    {
        var stats = await client.GetAsync($"/v2/queues/{queue}/stats");
        Assert.Equal(HttpStatusCode.OK, stats.Status);
        return stats.Json!["messages"]!["total"]!.GetValue<long>();
    }

    /// <summary>Creates a claim that must succeed; returns its id (from Location) and its messages.</summary>
    public static async Task<(string ClaimId, JsonArray Messages)> ClaimAsync(
        this ZaqarClient client, string queue, object? body = null, int? limit = null)
    {
        var path = $"/v2/queues/{queue}/claims" + (limit is null ? string.Empty : $"?limit={limit}");
        var response = await client.PostAsync(path, body ?? new { });
        Assert.True(response.Status == HttpStatusCode.Created, $"claim: {(int)response.Status} {response.Text}");
        return (response.Location!.Split('/')[^1], response.Json!["messages"]!.AsArray());
    }

    /// <summary>The ids of the messages a listing returns.</summary>
    public static List<string> Ids(this ZaqarClient.Response listing, string key = "messages") =>
        listing.Json![key]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();

    /// <summary>Creates a queue with the given metadata; it must be new.</summary>
    public static async Task CreateQueueAsync(this ZaqarClient client, string queue, object? metadata = null)
    {
        var response = await client.PutAsync($"/v2/queues/{queue}", metadata);
        Assert.True(response.Status == HttpStatusCode.Created, $"create: {(int)response.Status} {response.Text}");
    }
}
