using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zaqar.Data.Embedded;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Serialization;

namespace Zaqar.Bench;

/// <summary>
/// The transports' own ceiling on this machine (issue 14 items 1 and 2): the same clients making the same post calls,
/// with the same payloads, protocols and options, against a server in this process that stores nothing and applies no
/// rule: a hub whose PostMessages binds the same arguments and answers ids, and a REST endpoint that reads and parses the
/// same document and answers 201 with resources. What the service loses against it is what the API layer and storage
/// cost; what this floor loses against plain SQL is what the transport (ASP.NET Core, SignalR, the .NET clients, loopback
/// TCP) costs on the same two cores, which no service speaking it can win back.
/// </summary>
internal sealed class TransportFloor : IAsyncDisposable
{
    private static readonly JsonElement Body = JsonDocument.Parse(Payloads.Body).RootElement.Clone();

    private readonly WebApplication _app;
    private readonly Uri _address;
    private readonly BenchOptions _options;

    private TransportFloor(WebApplication app, Uri address, BenchOptions options) => (_app, _address, _options) = (app, address, options);

    public static async Task<TransportFloor> StartAsync(BenchOptions options)
    {
        var port = LoopbackPort.Free();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Urls"] = $"http://127.0.0.1:{port}";
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSignalR().AddZaqarMessagePackProtocol(ZaqarMessagePack.ServerOptions);
        var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<FloorHub>("/hubs/queues");
        app.MapPost("/v2/queues/{queue}/messages", PostAsync);
        await app.StartAsync();
        return new TransportFloor(app, new Uri($"http://127.0.0.1:{port}"), options);
    }

    /// <summary>Posting batches of <paramref name="batchSize"/> over the hub with MessagePack, one connection per worker.</summary>
    public async Task<ScenarioResult> HubPostAsync(string name, int batchSize)
    {
        var batch = Enumerable.Range(0, batchSize).Select(_ => (object)new { body = Body, ttl = 3600 }).ToArray();
        var hubs = await Task.WhenAll(Enumerable.Range(0, _options.Connections).Select(
            _ => BenchHubs.ConnectAsync(new Uri(_address, "/hubs/queues"), HubWireProtocol.MessagePack)));
        try
        {
            return await LoadRunner.RunAsync(name, hubs.Length, _options.Duration, async worker =>
            {
                var posted = await hubs[worker].InvokeAsync<PostedView>("PostMessages", "q", batch);
                return posted.MessageIds.Count;
            });
        }
        finally
        {
            await Task.WhenAll(hubs.Select(h => h.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Posting documents of <paramref name="batchSize"/> messages over keep-alive HTTP/1.1, as the REST scenarios do.</summary>
    public async Task<ScenarioResult> RestPostAsync(string name, int batchSize)
    {
        var document = Payloads.PostDocument(batchSize);
        using var http = RestScenarios.CreateClient(_address, _options.Connections);
        return await LoadRunner.RunAsync(name, _options.Connections, _options.Duration, async _ =>
        {
            using var request = RestScenarios.Request(HttpMethod.Post, "/v2/queues/q/messages", "bench-floor");
            request.Content = new ByteArrayContent(document);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.SendAsync(request);
            RestScenarios.Expect(response, HttpStatusCode.Created);
            return batchSize;
        });
    }

    // Reads and parses the document and answers what the service answers, with nothing stored.
    private static async Task PostAsync(HttpContext context, string queue)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        var count = document.RootElement.TryGetProperty("messages", out var messages) ? messages.GetArrayLength() : document.RootElement.GetArrayLength();
        var resources = new string[count];
        for (var i = 0; i < count; i++)
        {
            resources[i] = $"/v2/queues/{queue}/messages/{Guid.NewGuid():D}";
        }
        context.Response.StatusCode = StatusCodes.Status201Created;
        await context.Response.WriteAsJsonAsync(new { resources }, context.RequestAborted);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>The service's PostMessages signature, answering ids and paths without storing anything.</summary>
    internal sealed class FloorHub : Microsoft.AspNetCore.SignalR.Hub
    {
        public PostedView PostMessages(string queue, MessageArgs[]? batch)
        {
            var count = batch?.Length ?? throw new HubException("400: no messages");
            var ids = new string[count];
            var resources = new string[count];
            for (var i = 0; i < count; i++)
            {
                ids[i] = Guid.NewGuid().ToString("D");
                resources[i] = $"/v2/queues/{queue}/messages/{ids[i]}";
            }
            return new PostedView(ids, resources);
        }
    }
}
