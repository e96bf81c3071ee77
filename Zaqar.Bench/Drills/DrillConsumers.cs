using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Zaqar.Client;

namespace Zaqar.Bench.Drills;

/// <summary>
/// Subscribed consumers through the balancer (issue 16), with the official client over each transport: WebSockets with
/// MessagePack, Server-Sent Events and long polling with JSON (these two need the balancer's sticky cookie). The client
/// resubscribes after a reconnect from the last message it handed out (SubscribeSince); each counts what it received.
/// </summary>
internal sealed class DrillSubscribers(DrillContext drill, string queue) : IAsyncDisposable
{
    private static readonly (ZaqarProtocol Protocol, HttpTransportType Transport)[] Kinds =
        [(ZaqarProtocol.MessagePack, HttpTransportType.WebSockets), (ZaqarProtocol.Json, HttpTransportType.ServerSentEvents),
         (ZaqarProtocol.Json, HttpTransportType.LongPolling)];

    private readonly List<Subscriber> _subscribers = [];

    public IReadOnlyList<Subscriber> All => _subscribers;

    public async Task StartAsync(int perTransport)
    {
        for (var i = 0; i < perTransport; i++)
        {
            // Rotated each round: the balancer spreads connections round robin, so without it every subscriber of one
            // transport would land on the same node, and a killed node would break one transport only.
            foreach (var (protocol, transport) in Kinds.Skip(i % Kinds.Length).Concat(Kinds.Take(i % Kinds.Length)))
            {
                var cookies = new System.Net.CookieContainer();
                var subscriber = new Subscriber($"{transport}/{protocol}#{i + 1}", cookies, drill.Balancer, new ZaqarHubClient(new ZaqarHubClientOptions
                {
                    Url = drill.Balancer,
                    ProjectId = drill.Project,
                    Protocol = protocol,
                    Transports = transport,
                    // Long enough to outlast a node's death and HAProxy's noticing it (2 failed checks, 1 s apart).
                    ReconnectDelays = [.. new[] { 0, 0.5, 1, 1, 2, 2, 5, 5, 10, 10, 30 }.Select(TimeSpan.FromSeconds)],
                    // Our own cookie jar, to read which node the balancer's sticky cookie names.
                    ConfigureHttp = http => http.Cookies = cookies,
                }));
                subscriber.Client.Reconnecting += _ =>
                {
                    Interlocked.Increment(ref subscriber.Reconnects);
                    return Task.CompletedTask;
                };
                await subscriber.Client.StartAsync();
                subscriber.Registration = await subscriber.Client.SubscribeAsync(queue, m => subscriber.Received.AddOrUpdate(m.Id, 1, (_, n) => n + 1));
                _subscribers.Add(subscriber);
            }
        }
    }

    /// <summary>Waits until every subscriber received every id in <paramref name="expected"/> (or the time is up).</summary>
    public Task<bool> ConvergeAsync(IReadOnlyCollection<string> expected, TimeSpan timeout) =>
        DrillContext.UntilAsync(() => Task.FromResult(_subscribers.All(s => expected.All(s.Received.ContainsKey))), timeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var subscriber in _subscribers)
        {
            await subscriber.Client.DisposeAsync();
        }
    }

    internal sealed class Subscriber(string name, System.Net.CookieContainer cookies, Uri balancer, ZaqarHubClient client)
    {
        public int Reconnects;

        public string Name => name;

        /// <summary>The node HAProxy's sticky cookie (deploy/haproxy.cfg.in) routes this subscriber to now.</summary>
        public string Node => cookies.GetCookies(balancer)["ZAQARNODE"]?.Value ?? "?";

        public ZaqarHubClient Client => client;

        public IAsyncDisposable? Registration { get; set; }

        /// <summary>Each message id received, with how many times.</summary>
        public ConcurrentDictionary<string, int> Received { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>
/// Claimers through the balancer: claim up to 10 (ttl and grace 60 s, Zaqar's minimum), delete each message with its claim
/// id, again; each claim and delete goes into a <see cref="ClaimHistory"/>. Deleted ids are the consumed ones; a claim whose node died before its deletes keeps its messages in the queue
/// until the claim expires, where the final listing (include_claimed) finds them.
/// </summary>
internal sealed class DrillClaimers(DrillContext drill, string queue, int claimers)
{
    private readonly ConcurrentDictionary<string, int> _deleted = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task[] _running = [];
    private long _claims;
    private long _failures;

    /// <summary>Zaqar's shortest claim: a claim orphaned by a dying node holds its messages this long.</summary>
    private const int ClaimTtlSeconds = 60;

    public IReadOnlyDictionary<string, int> Deleted => _deleted;

    /// <summary>Every claim and delete made, for the checker.</summary>
    public ClaimHistory History { get; } = new();

    public long Claims => Interlocked.Read(ref _claims);

    public long FailedCalls => Interlocked.Read(ref _failures);

    public void Start() => _running = [.. Enumerable.Range(0, claimers).Select(_ => RunAsync())];

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
    }

    private async Task RunAsync()
    {
        using var http = drill.Http();
        while (!_stop.IsCancellationRequested)
        {
            var idle = true;
            try
            {
                using var content = new StringContent($$"""{"ttl":{{ClaimTtlSeconds}},"grace":60}""", Encoding.UTF8, "application/json");
                var sent = drill.Now;
                using var response = await http.PostAsync($"/v2/queues/{queue}/claims?limit=10", content);
                if (response.StatusCode == System.Net.HttpStatusCode.Created)
                {
                    var answered = drill.Now;
                    Interlocked.Increment(ref _claims);
                    idle = false;
                    var claimId = response.Headers.Location!.OriginalString.Split('/')[^1];
                    var claimed = await response.Content.ReadFromJsonAsync<JsonElement>();
                    foreach (var message in claimed.GetProperty("messages").EnumerateArray())
                    {
                        var id = message.GetProperty("id").GetString()!;
                        History.Claimed(id, claimId, sent, answered, ClaimTtlSeconds);
                        var deleteSent = drill.Now;
                        using var deleted = await http.DeleteAsync(message.GetProperty("href").GetString());
                        if (deleted.StatusCode == System.Net.HttpStatusCode.NoContent)
                        {
                            History.Deleted(id, claimId, deleteSent, drill.Now);
                            _deleted.AddOrUpdate(id, 1, (_, n) => n + 1);
                        }
                        else
                        {
                            Interlocked.Increment(ref _failures);
                        }
                    }
                }
                else if (response.StatusCode != System.Net.HttpStatusCode.NoContent)
                {
                    Interlocked.Increment(ref _failures);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                Interlocked.Increment(ref _failures);
            }
            if (idle)
            {
                try
                {
                    await Task.Delay(100, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
