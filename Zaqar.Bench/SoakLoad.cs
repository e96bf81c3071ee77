using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Zaqar.Hub.Api;

namespace Zaqar.Bench;

/// <summary>The soak's four kinds of operation.</summary>
internal enum SoakOperation
{
    RestPost,
    HubPost,
    RestClaim,
    HubClaim,
}

/// <summary>
/// The soak's clients on one service: a REST client, hub connections (MessagePack) for posting and for claiming, and
/// subscribers on every queue. Every message body carries its post's send time, so a subscriber knows its push lag.
/// Operations record into <see cref="Window"/>, the current minute's.
/// </summary>
internal sealed class SoakLoad : IAsyncDisposable
{
    /// <summary>Messages live a minute: expiry and the sweeper happen within the run (issue 14 item 7).</summary>
    public const int MessageTtl = 60;

    /// <summary>Paced operations of one kind still waiting beyond this are not started (counted as dropped).</summary>
    private const int MaxInFlight = 256;

    private static readonly string Padding = new('x', Payloads.BodyBytes - "{\"t\":00000000000000,\"payload\":\"\"}".Length);
    private static readonly object ClaimDocument = new { ttl = 60, grace = 60, limit = 10 };

    private readonly HttpClient _http;
    private readonly string _project;
    private readonly int _queues;
    private readonly List<HubConnection> _posters = [], _claimers = [], _subscribers = [];

    private SoakLoad(Uri service, string project, int queues, int connections)
    {
        _project = project;
        _queues = queues;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = service,
        };
        _http.DefaultRequestHeaders.Add("Client-ID", Guid.NewGuid().ToString());
        _http.DefaultRequestHeaders.Add("X-Project-ID", project);
    }

    public SoakWindow Window { get; set; } = new();

    public static async Task<SoakLoad> StartAsync(Uri service, string project, int queues, int subscribersPerQueue, int connections)
    {
        var load = new SoakLoad(service, project, queues, connections);
        try
        {
            var hub = new Func<Task<HubConnection>>(() => BenchHubs.ConnectAsync(new Uri(service, $"/hubs/queues?project_id={project}&client_id={Guid.NewGuid()}"), HubWireProtocol.MessagePack));
            for (var i = 0; i < Math.Max(1, connections / 2); i++)
            {
                load._posters.Add(await hub());
                load._claimers.Add(await hub());
            }
            for (var i = 0; i < queues * subscribersPerQueue; i++)
            {
                var subscriber = BenchHubs.Build(new Uri(service, $"/hubs/queues?project_id={project}&client_id={Guid.NewGuid()}"), HubWireProtocol.MessagePack);
                subscriber.On<string, PushedMessageView[]>("Messages", (_, messages) =>
                {
                    var now = Stopwatch.GetTimestamp();
                    foreach (var m in messages)
                    {
                        load.Window.RecordPush(Stopwatch.GetElapsedTime(m.Body.GetProperty("t").GetInt64(), now).TotalMilliseconds);
                    }
                });
                load._subscribers.Add(subscriber);
                await subscriber.StartAsync();
                await subscriber.InvokeAsync("Subscribe", $"q{i % queues}");
            }
            return load;
        }
        catch
        {
            await load.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Posts at <paramref name="postRate"/> messages/s and claims at <paramref name="claimRate"/> messages/s (10 per
    /// operation, each split evenly between REST and the hub) for <paramref name="duration"/>, whatever the service's pace.
    /// </summary>
    public Task RunPacedAsync(double postRate, double claimRate, TimeSpan duration) => Task.WhenAll(
        PacedAsync(SoakOperation.RestPost, postRate / 20, duration),
        PacedAsync(SoakOperation.HubPost, postRate / 20, duration),
        PacedAsync(SoakOperation.RestClaim, claimRate / 20, duration),
        PacedAsync(SoakOperation.HubClaim, claimRate / 20, duration));

    /// <summary>One operation, timed and recorded; a failure is counted, not thrown (the soak goes on).</summary>
    public async Task OperationAsync(SoakOperation operation, long sequence)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            switch (operation)
            {
                case SoakOperation.RestPost:
                    await RestPostAsync(sequence);
                    Window.RecordPost(10, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    break;
                case SoakOperation.HubPost:
                    await _posters[(int)(sequence % _posters.Count)].InvokeAsync<PostedView>("PostMessages", Queue(sequence), HubBatch());
                    Window.RecordPost(10, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    break;
                case SoakOperation.RestClaim:
                    Window.RecordClaim(await RestClaimAsync(), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    break;
                case SoakOperation.HubClaim:
                    Window.RecordClaim(await HubClaimAsync(sequence), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    break;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or HubException or TaskCanceledException or IOException)
        {
            Window.RecordFailed(ex);
        }
    }

    private async Task PacedAsync(SoakOperation operation, double perSecond, TimeSpan duration)
    {
        var interval = Stopwatch.Frequency / perSecond;
        var start = Stopwatch.GetTimestamp();
        var inFlight = 0;
        for (long i = 0; ; i++)
        {
            var due = start + (long)(i * interval);
            if (Stopwatch.GetElapsedTime(start, due) >= duration)
            {
                break;
            }
            // Sleeps rather than spins (the load shares the service's cores); sends come in small bursts, the rate holds.
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(1);
            }
            if (Volatile.Read(ref inFlight) >= MaxInFlight)
            {
                Window.RecordDropped();
                continue;
            }
            Interlocked.Increment(ref inFlight);
            var sequence = i;
            _ = Task.Run(async () =>
            {
                try
                {
                    await OperationAsync(operation, sequence);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            });
        }
        var drain = Stopwatch.StartNew();
        while (Volatile.Read(ref inFlight) > 0 && drain.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }
    }

    private string Queue(long sequence) => $"q{sequence % _queues}";

    private static string BodyJson() => $"{{\"t\":{Stopwatch.GetTimestamp()},\"payload\":\"{Padding}\"}}";

    private static object[] HubBatch()
    {
        var body = JsonDocument.Parse(BodyJson()).RootElement;
        return [.. Enumerable.Repeat<object>(new { body, ttl = MessageTtl }, 10)];
    }

    private async Task RestPostAsync(long sequence)
    {
        var message = $"{{\"body\":{BodyJson()},\"ttl\":{MessageTtl}}}";
        var document = $"{{\"messages\":[{string.Join(',', Enumerable.Repeat(message, 10))}]}}";
        using var content = new StringContent(document, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"/v2/queues/{Queue(sequence)}/messages", content);
        RestScenarios.Expect(response, HttpStatusCode.Created);
    }

    private Task<int> RestClaimAsync() =>
        RestScenarios.ClaimAndDeleteAsync(_http, (method, path) => new HttpRequestMessage(method, path), $"q{Random.Shared.Next(_queues)}", "{\"ttl\":60,\"grace\":60}");

    private async Task<int> HubClaimAsync(long sequence)
    {
        var queue = $"q{Random.Shared.Next(_queues)}";
        var hub = _claimers[(int)(sequence % _claimers.Count)];
        var claimed = await hub.InvokeAsync<ClaimCreatedView?>("CreateClaim", queue, ClaimDocument);
        if (claimed is null)
        {
            return 0;
        }
        await hub.InvokeAsync("DeleteMessages", queue, claimed.Messages.Select(m => m.Id).ToArray(), new[] { claimed.ClaimId });
        return claimed.Messages.Count;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var chunk in _posters.Concat(_claimers).Concat(_subscribers).Chunk(50))
        {
            await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask()));
        }
        _http.Dispose();
    }
}
