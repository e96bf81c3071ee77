using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Zaqar.Hub.Tests.Hubs;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>
/// One hub case in progress: A's hub connection, every call it made with its answer (for the leak check), and the
/// pushes it received. With a pre-signed connection, a call outside the URL's scope must be refused with 404, and ends
/// the case (<see cref="OutOfScopeException"/>).
/// </summary>
internal sealed class HubRun(TenantA a, TenantB b, HubClient hub, SignedScope? scope)
{
    private readonly List<(string Call, string Request, string Answer)> _exchanges = [];
    private readonly List<string> _pushes = [];

    public TenantA A => a;

    public TenantB B => b;

    public HubClient Hub => hub;

    public IReadOnlyList<(string Call, string Request, string Answer)> Exchanges => _exchanges;

    public IReadOnlyList<string> Pushes
    {
        get
        {
            lock (_pushes)
            {
                return [.. _pushes];
            }
        }
    }

    /// <summary>Records what the server pushes to A's connection, from now on.</summary>
    public IDisposable RecordPushes()
    {
        var queue = hub.On<string, JsonNode>("Messages", (name, messages) => Pushed("Messages", name, messages));
        var topic = hub.On<string, JsonNode>("TopicMessages", (name, messages) => Pushed("TopicMessages", name, messages));
        return new Both(queue, topic);
    }

    /// <summary>Invokes a method that must succeed; returns its result (null for none).</summary>
    public async Task<JsonNode?> CallAsync(string method, params object?[] args)
    {
        var request = Request(method, args);
        try
        {
            var result = await hub.InvokeAsync<JsonNode?>(method, args);
            _exchanges.Add((method, request, result?.ToJsonString() ?? "null"));
            Assert.True(InScope(method, args), $"{method} is outside A's pre-signed URL, yet it was served: {_exchanges[^1].Answer}");
            return result;
        }
        catch (HubException ex)
        {
            _exchanges.Add((method, request, ex.ServerError));
            CheckScope(method, args, ex);
            throw;
        }
    }

    /// <summary>Invokes a method that must fail with a Zaqar error; returns the error.</summary>
    public async Task<ZaqarHubError> ErrorAsync(string method, params object?[] args)
    {
        try
        {
            await CallAsync(method, args);
        }
        catch (HubException ex) when (ex.ZaqarError is { } error)
        {
            return error;
        }
        throw new Xunit.Sdk.XunitException($"{method} succeeded for A: {_exchanges[^1].Answer}");
    }

    /// <summary>Invokes a method that must fail with this status; returns the error.</summary>
    public async Task<ZaqarHubError> ErrorAsync(HttpStatusCode status, string method, params object?[] args)
    {
        var error = await ErrorAsync(method, args);
        Assert.True(error.Status == (int)status, $"{method}: expected {(int)status}, got {error}");
        return error;
    }

    /// <summary>Takes <paramref name="count"/> items of a stream, then ends it.</summary>
    public async Task<List<JsonNode>> StreamAsync(int count, string method, params object?[] args)
    {
        var items = new List<JsonNode>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Hubs.HubTestKit.Timeout);
        try
        {
            await foreach (var item in hub.StreamCoreAsync<JsonNode>(method, args, timeout.Token))
            {
                items.Add(item);
                if (items.Count == count)
                {
                    break;
                }
            }
        }
        catch (HubException ex)
        {
            _exchanges.Add((method, Request(method, args), ex.ServerError));
            CheckScope(method, args, ex);
            throw;
        }
        _exchanges.Add((method, Request(method, args), new JsonArray([.. items.Select(i => i.DeepClone())]).ToJsonString()));
        Assert.True(InScope(method, args), $"{method} is outside A's pre-signed URL, yet it streamed");
        return items;
    }

    /// <summary>A pre-signed connection's call outside its scope was refused: as it must be (404), and the case ends.</summary>
    private void CheckScope(string method, object?[] args, HubException ex)
    {
        if (InScope(method, args))
        {
            return;
        }
        Assert.True(ex.ZaqarError is { Status: 404, Title: "404 Not Found" }, $"{method} out of the URL's scope: {ex.ServerError}");
        throw new OutOfScopeException();
    }

    private bool InScope(string method, object?[] args) =>
        scope is null || (HubScopes.For(method, args) is { } call && scope.Allows(call.Method, call.Path));

    private void Pushed(string target, string name, JsonNode messages)
    {
        lock (_pushes)
        {
            _pushes.Add($"{target}({name}): {messages.ToJsonString()}");
        }
    }

    private static string Request(string method, object?[] args) => method + JsonSerializer.Serialize(args);

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }
}

/// <summary>A pre-signed connection's call was refused as outside its URL's scope, as it must be.</summary>
internal sealed class OutOfScopeException : Exception;
