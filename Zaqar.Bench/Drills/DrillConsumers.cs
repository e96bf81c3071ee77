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
