using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Clients that keep working against a service from several connections at once while it is killed or loses its database
/// (issue 10), keeping what the service acknowledged. A 503 and a connection cut by a killed service acknowledged nothing,
/// so they are retried; any other answer is unexpected and fails the test.
/// </summary>
internal abstract class LoadClients : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private Task[] _loops = [];

    /// <summary>Set by <see cref="FinishAsync"/>: loops that have nothing more to do (see <see cref="RunAsync"/>) end.</summary>
    protected bool Finishing { get; private set; }

    /// <summary>How many acknowledged results there are so far (what <see cref="WaitForAsync"/> counts).</summary>
    protected abstract int Acknowledged { get; }

    /// <summary>Waits until at least <paramref name="count"/> results were acknowledged.</summary>
    public async Task WaitForAsync(int count)
    {
        var deadline = Stopwatch.StartNew();
        while (Acknowledged < count)
        {
            AssertNothingUnexpected();
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120), $"only {Acknowledged} of {count} acknowledged within 120 s");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Lets each loop end once it has nothing more to do, and waits for them.</summary>
    public async Task FinishAsync()
    {
        Finishing = true;
        await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
        AssertNothingUnexpected();
    }

    /// <summary>Stops every loop now and waits for them.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        AssertNothingUnexpected();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }

    protected void Start(Uri address, string project, int clients) =>
        _loops = Enumerable.Range(0, clients).Select(i => Task.Run(() => LoopAsync(address, project, i))).ToArray();

    /// <summary>
    /// One round of client <paramref name="client"/>: sends its request and keeps what an acknowledged answer says. Returns
    /// false when the loop is done (only once <see cref="Finishing"/>).
    /// </summary>
    protected abstract Task<bool> RunAsync(HttpClient http, int client, CancellationToken ct);

    protected void Unexpected(HttpResponseMessage response, string body) =>
        _unexpected.Enqueue($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");

    private async Task LoopAsync(Uri address, string project, int client)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Project-ID", project);
        http.DefaultRequestHeaders.Add("Client-ID", Guid.NewGuid().ToString());
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (!await RunAsync(http, client, _stop.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The service was killed under the request, or is not up again yet: nothing was acknowledged.
                await Task.Delay(20, CancellationToken.None);
            }
        }
    }

    private void AssertNothingUnexpected() => Assert.True(_unexpected.IsEmpty, "unexpected answers: " + string.Join("; ", _unexpected.Take(5)));
}

/// <summary>Posters: each post carries a few messages; the ids of every acknowledged post (201) are kept.</summary>
internal sealed class Posters : LoadClients
{
    private readonly ConcurrentQueue<string> _ids = new();
    private readonly string _queue;
    private int _posts;

    private Posters(string queue)
    {
        _queue = queue;
    }

    /// <summary>The ids of every message whose post the service acknowledged.</summary>
    public IReadOnlyList<string> Ids => [.. _ids];

    protected override int Acknowledged => _ids.Count;

    public static Posters Start(Uri address, string project, string queue, int clients)
    {
        var posters = new Posters(queue);
        posters.Start(address, project, clients);
        return posters;
    }

    /// <summary>Asserts that every message in <paramref name="ids"/> can be read from <paramref name="queue"/>, asking for 20 at a time.</summary>
    public static async Task AssertAllReadableAsync(ZaqarClient rest, string queue, IReadOnlyList<string> ids)
    {
        foreach (var chunk in ids.Chunk(20))
        {
            var response = await rest.GetAsync($"/v2/queues/{queue}/messages?ids={string.Join(',', chunk)}");
            Assert.Equal(HttpStatusCode.OK, response.Status);
            var read = response.Json!["messages"]!.AsArray().Select(m => m!["id"]!.GetValue<string>());
            Assert.Equal(chunk.Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
        }
    }

    protected override async Task<bool> RunAsync(HttpClient http, int client, CancellationToken ct)
    {
        var post = Interlocked.Increment(ref _posts);
        var batch = new { messages = Enumerable.Range(0, 1 + post % 4).Select(i => new { body = new { client, post, i }, ttl = 3600 }) };
        using var response = await http.PostAsJsonAsync($"/v2/queues/{_queue}/messages", batch, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            foreach (var resource in JsonNode.Parse(body)!["resources"]!.AsArray())
            {
                _ids.Enqueue(resource!.GetValue<string>().Split('/')[^1]);
            }
        }
        else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            await Task.Delay(20, ct);
        }
        else
        {
            Unexpected(response, body);
        }
        return true;
    }
}

/// <summary>One claim the service acknowledged: its messages, its ttl, and when it was asked for and answered.</summary>
internal sealed record ClaimRecord(string ClaimId, IReadOnlyList<string> MessageIds, int Ttl, DateTimeOffset SentAt, DateTimeOffset AnsweredAt)
{
    /// <summary>
    /// True when this claim and <paramref name="other"/> were certainly live at once: each was made between its request and
    /// its answer and lives for its ttl from then, so they overlap if the later possible start comes before the earlier
    /// possible end.
    /// </summary>
    public bool CertainlyOverlaps(ClaimRecord other) =>
        Max(AnsweredAt, other.AnsweredAt) < Min(SentAt.AddSeconds(Ttl), other.SentAt.AddSeconds(other.Ttl));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

/// <summary>Claimers: each claims a few messages at a time and keeps every acknowledged claim; finishing, they stop at an empty queue (204).</summary>
internal sealed class Claimers : LoadClients
{
    private readonly ConcurrentQueue<ClaimRecord> _claims = new();
    private readonly string _queue;
    private readonly int _limit;
    private readonly int _ttl;
    private int _claimed;

    private Claimers(string queue, int limit, int ttl)
    {
        _queue = queue;
        _limit = limit;
        _ttl = ttl;
    }

    public IReadOnlyList<ClaimRecord> Claims => [.. _claims];

    /// <summary>Messages in acknowledged claims.</summary>
    protected override int Acknowledged => Volatile.Read(ref _claimed);

    public static Claimers Start(Uri address, string project, string queue, int clients, int limit, int ttl)
    {
        var claimers = new Claimers(queue, limit, ttl);
        claimers.Start(address, project, clients);
        return claimers;
    }

    protected override async Task<bool> RunAsync(HttpClient http, int client, CancellationToken ct)
    {
        var sentAt = DateTimeOffset.UtcNow;
        using var response = await http.PostAsJsonAsync($"/v2/queues/{_queue}/claims?limit={_limit}", new { ttl = _ttl, grace = 60 }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Created:
                var ids = JsonNode.Parse(body)!["messages"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
                var claimId = response.Headers.Location!.OriginalString.Split('/')[^1];
                _claims.Enqueue(new ClaimRecord(claimId, ids, _ttl, sentAt, DateTimeOffset.UtcNow));
                Interlocked.Add(ref _claimed, ids.Count);
                return true;
            case HttpStatusCode.NoContent:
                return !Finishing;
            case HttpStatusCode.ServiceUnavailable:
                await Task.Delay(20, ct);
                return true;
            default:
                Unexpected(response, body);
                return true;
        }
    }
}
