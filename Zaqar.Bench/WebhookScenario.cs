using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Zaqar.Bench;

/// <summary>Webhook delivery throughput: subscriptions to a receiver on loopback, a burst of posts, deliveries per second.</summary>
internal sealed record WebhookResult(int Subscriptions, int Messages, long Delivered, TimeSpan Elapsed)
{
    public double PerSecond => Delivered / Elapsed.TotalSeconds;

    public override string ToString() =>
        $"webhooks: {Subscriptions} subscriptions x {Messages} messages: {Delivered} deliveries in {Elapsed.TotalSeconds:N1} s = {PerSecond:N0} deliveries/s";
}

internal static class WebhookScenario
{
    public static async Task<WebhookResult> RunAsync(BenchHost host, int subscriptions, int messages)
    {
        long delivered = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var expected = (long)subscriptions * messages;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["Urls"] = "http://127.0.0.1:0";
        await using var receiver = builder.Build();
        receiver.MapPost("/hook/{n}", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            if (Interlocked.Increment(ref delivered) == expected)
            {
                done.TrySetResult();
            }
            return Results.NoContent();
        });
        await receiver.StartAsync();
        var receiverAddress = receiver.Urls.First();

        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        http.DefaultRequestHeaders.Add("Client-ID", Guid.NewGuid().ToString());
        http.DefaultRequestHeaders.Add("X-Project-ID", "bench-hooks-" + Guid.NewGuid().ToString("N")[..8]);
        for (var i = 0; i < subscriptions; i++)
        {
            var created = await http.PostAsJsonAsync("/v2/queues/hooks/subscriptions", new { subscriber = $"{receiverAddress}/hook/{i}", ttl = 3600 });
            if (created.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"subscription: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            }
        }
        var started = Stopwatch.StartNew();
        for (var posted = 0; posted < messages; posted += 10)
        {
            var batch = Enumerable.Range(0, Math.Min(10, messages - posted)).Select(n => new { body = new { n = posted + n }, ttl = 3600 });
            (await http.PostAsJsonAsync("/v2/queues/hooks/messages", new { messages = batch })).EnsureSuccessStatusCode();
        }
        await done.Task.WaitAsync(TimeSpan.FromMinutes(3));
        return new WebhookResult(subscriptions, messages, Interlocked.Read(ref delivered), started.Elapsed);
    }
}
