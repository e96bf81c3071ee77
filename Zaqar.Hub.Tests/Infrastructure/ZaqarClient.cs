using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>An HTTP client of one project and Client-ID, with the v2 headers set and JSON helpers.</summary>
public sealed class ZaqarClient : IDisposable
{
    public ZaqarClient(HttpClient http, string project, string clientId)
    {
        Http = http;
        Project = project;
        ClientId = clientId;
        http.DefaultRequestHeaders.Add("X-Project-ID", project);
        http.DefaultRequestHeaders.Add("Client-ID", clientId);
    }

    public HttpClient Http { get; }

    public string Project { get; }

    public string ClientId { get; }

    /// <summary>The same project seen by another client (another Client-ID), for echo tests.</summary>
    public ZaqarClient AsOtherClient(HttpClient http) => new(http, Project, Guid.NewGuid().ToString());

    public Task<Response> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<Response> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public Task<Response> PutAsync(string path, object? body = null) => SendAsync(HttpMethod.Put, path, body);

    public Task<Response> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);

    public Task<Response> PatchAsync(string path, object? body, string contentType = "application/openstack-messaging-v2.0-json-patch") =>
        SendAsync(HttpMethod.Patch, path, body, contentType);

    /// <summary>Sends <paramref name="body"/> as JSON: a string is sent verbatim, anything else serialized.</summary>
    public async Task<Response> SendAsync(HttpMethod method, string path, object? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var text = body as string ?? JsonSerializer.Serialize(body);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var content = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new Response(response.StatusCode, content, response.Headers.Location?.OriginalString, response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value)));
    }

    /// <summary>Posts messages (bodies as given) and returns their ids in order.</summary>
    public async Task<List<string>> PostMessagesAsync(string queue, params object[] bodies)
    {
        var response = await PostAsync($"/v2/queues/{queue}/messages", new { messages = bodies.Select(b => new { body = b }) });
        Assert.Equal(HttpStatusCode.Created, response.Status);
        return response.Json!["resources"]!.AsArray().Select(r => r!.GetValue<string>().Split('/')[^1]).ToList();
    }

    public void Dispose() => Http.Dispose();

    /// <summary>A response: status, raw text, parsed JSON (null when empty), Location.</summary>
    public sealed record Response(HttpStatusCode Status, string Text, string? Location, IReadOnlyDictionary<string, string> Headers)
    {
        public JsonNode? Json => Text.Length == 0 ? null : JsonNode.Parse(Text);

        public string? Title => Json?["title"]?.GetValue<string>();

        public string? Description => Json?["description"]?.GetValue<string>();

        /// <summary>Asserts Zaqar's error body: this status, this title, and (when given) a description containing the text.</summary>
        public Response AssertError(HttpStatusCode status, string title, string? descriptionContains = null)
        {
            Assert.True(status == Status, $"expected {(int)status}, got {(int)Status}: {Text}");
            Assert.Equal(title, Title);
            if (descriptionContains is not null)
            {
                Assert.Contains(descriptionContains, Description ?? string.Empty, StringComparison.Ordinal);
            }
            return this;
        }
    }
}
