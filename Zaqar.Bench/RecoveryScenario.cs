using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Zaqar.Hub.Api;

namespace Zaqar.Bench;

/// <summary>Recovery (issue 13): how fast a subscriber that comes back catches up on the messages it missed.</summary>
internal sealed record RecoveryResult(HubWireProtocol Protocol, int Missed, long Received, TimeSpan Elapsed)
{
    public double PerSecond => Received / Elapsed.TotalSeconds;

    public override string ToString() =>
        $"recovery ({Protocol}): {Received:N0} of {Missed:N0} missed messages (256 B) caught up by SubscribeSince in " +
        $"{Elapsed.TotalSeconds:N2} s = {PerSecond:N0} msg/s";
}

internal static class RecoveryScenario
{
    /// <summary>Posts <paramref name="missed"/> messages after one the subscriber saw, then times SubscribeSince until the last arrives.</summary>
    public static async Task<RecoveryResult> RunAsync(BenchHost host, HubWireProtocol protocol, int missed)
    {
        var project = "bench-recovery-" + Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        http.DefaultRequestHeaders.Add("Client-ID", Guid.NewGuid().ToString());
        http.DefaultRequestHeaders.Add("X-Project-ID", project);
        var seen = await PostAsync(http, 1);
        for (var posted = 0; posted < missed; posted += 10)
        {
            await PostAsync(http, Math.Min(10, missed - posted));
        }

        long received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = BenchHubs.Build(new Uri(host.BaseAddress, $"/hubs/queues?project_id={project}&client_id={Guid.NewGuid()}"), protocol);
        hub.On<string, PushedMessageView[]>("Messages", (_, messages) =>
        {
            if (Interlocked.Add(ref received, messages.Length) >= missed)
            {
                done.TrySetResult();
            }
        });
        await hub.StartAsync();
        var started = Stopwatch.StartNew();
        await hub.InvokeAsync<object>("SubscribeSince", "recovery", new { since = seen });
        await done.Task.WaitAsync(TimeSpan.FromMinutes(3));
        return new RecoveryResult(protocol, missed, Interlocked.Read(ref received), started.Elapsed);
    }

    /// <summary>Posts a batch of 256 B bodies; the id of its last message.</summary>
    private static async Task<string> PostAsync(HttpClient http, int count)
    {
        using var content = new ByteArrayContent(Payloads.PostDocument(count));
        content.Headers.ContentType = new("application/json");
        var response = await http.PostAsync("/v2/queues/recovery/messages", content);
        response.EnsureSuccessStatusCode();
        var posted = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return posted.GetProperty("resources").EnumerateArray().Last().GetString()!.Split('/')[^1];
    }
}
