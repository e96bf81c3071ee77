using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// A webhook subscriber inside the test: Kestrel on a loopback port, recording every request (with the service
/// clock's time), answering as <see cref="Respond"/> says.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly TimeProvider _clock;
    private int _count;

    private WebhookReceiver(WebApplication app, TimeProvider clock)
    {
        _app = app;
        _clock = clock;
    }

    /// <summary>A request as received: path, body, headers (names lower-cased), and when (service clock).</summary>
    public sealed record Request(string Path, string Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At)
    {
        public JsonNode Json => JsonNode.Parse(Body)!;
    }

    /// <summary>Given the 1-based number of the request, the status to answer (it may wait first). Default 200.</summary>
    public Func<int, CancellationToken, Task<int>> Respond { get; set; } = (_, _) => Task.FromResult(200);

    public string BaseUrl { get; private set; } = string.Empty;

    public IReadOnlyList<Request> Requests => _requests.ToList();

    public static async Task<WebhookReceiver> StartAsync(TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, clock ?? TimeProvider.System);
        app.Run(receiver.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        receiver.BaseUrl = app.Urls.Single();
        return receiver;
    }

    public string Url(string path = "/hook") => BaseUrl + path;

    /// <summary>Waits until at least <paramref name="count"/> requests came, stepping the service clock meanwhile if given.</summary>
    public async Task<IReadOnlyList<Request>> WaitForAsync(int count, Action? step = null, int timeoutSeconds = 10)
    {
        await DeliveryWaits.UntilAsync(() => _requests.Count >= count, step, timeoutSeconds, $"{count} webhook requests (got {_requests.Count})");
        return Requests;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        _requests.Enqueue(new Request(http.Request.Path.Value ?? "/", body, headers, _clock.GetUtcNow()));
        var number = Interlocked.Increment(ref _count);
        try
        {
            http.Response.StatusCode = await Respond(number, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The dispatcher gave up waiting (a timeout test).
        }
    }
}

/// <summary>Waiting for deliveries, optionally stepping a manual clock so due retries come due.</summary>
internal static class DeliveryWaits
{
    public static async Task UntilAsync(Func<bool> done, Action? step, int timeoutSeconds, string what)
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting for " + what);
            }
            step?.Invoke();
            await Task.Delay(25, ct);
        }
    }

    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, int timeoutSeconds, string what, Action? step = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}; last: {value}");
            }
            step?.Invoke();
            await Task.Delay(25, ct);
        }
    }
}
