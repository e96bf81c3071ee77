using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Zaqar.Bench.Drills;

/// <summary>
/// Steady posting to one queue through the balancer (issue 16): each poster posts one message at a time and records it as
/// acknowledged only on 201 with its id. A post that fails (error status, reset, timeout) is not retried with the same
/// body: it may or may not have been stored, so it is counted apart and never expected anywhere.
/// </summary>
internal sealed class DrillPosters(DrillContext drill, string queue, int posters, TimeSpan pause)
{
    private readonly ConcurrentDictionary<string, long> _acknowledged = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<long> _ackTimes = new();
    private readonly ConcurrentQueue<(long At, string Why)> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private Task[] _running = [];

    public string Queue => queue;

    /// <summary>Acknowledged message ids, with the drill time (ms) of their acknowledgement.</summary>
    public IReadOnlyDictionary<string, long> Acknowledged => _acknowledged;

    public int Failed => _failures.Count;

    /// <summary>
    /// Creates a queue on each pool (flavors "a" and "b") and starts posting to both: <paramref name="postersOnA"/> posters on pool-a's
    /// (each pausing <paramref name="pauseOnA"/> between posts), pool-b's two every 20 ms each.
    /// </summary>
    public static async Task<(DrillPosters OnA, DrillPosters OnB)> StartOnBothPoolsAsync(DrillContext drill, int postersOnA, TimeSpan pauseOnA)
    {
        await drill.CreateQueueAsync("drill-a", "a");
        await drill.CreateQueueAsync("drill-b", "b");
        var onA = new DrillPosters(drill, "drill-a", postersOnA, pauseOnA);
        var onB = new DrillPosters(drill, "drill-b", posters: 2, TimeSpan.FromMilliseconds(20));
        onA.Start();
        onB.Start();
        return (onA, onB);
    }

    public void Start() => _running = [.. Enumerable.Range(0, posters).Select(RunAsync)];

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
    }

    /// <summary>
    /// The longest time between two acknowledgements from <paramref name="from"/> on (ms): with posters always trying,
    /// how long the queue could not take a post.
    /// </summary>
    public long LongestGap(long from, long to)
    {
        var times = _ackTimes.Where(t => t >= from && t <= to).Order().ToList();
        if (times.Count == 0)
        {
            return to - from;
        }
        var longest = times[0] - from;
        for (var i = 1; i < times.Count; i++)
        {
            longest = Math.Max(longest, times[i] - times[i - 1]);
        }
        return Math.Max(longest, to - times[^1]);
    }

    /// <summary>The first and last failure after <paramref name="from"/>, and what the first one was.</summary>
    public string Failures(long from)
    {
        var failed = _failures.Where(f => f.At >= from).OrderBy(f => f.At).ToList();
        return failed.Count == 0
            ? "no failed posts"
            : $"{failed.Count} failed posts between {failed[0].At / 1000.0:F1} s and {failed[^1].At / 1000.0:F1} s (first: {failed[0].Why})";
    }

    private async Task RunAsync(int poster)
    {
        using var http = drill.Http();
        var ct = _stop.Token;
        for (var seq = 0; !ct.IsCancellationRequested; seq++)
        {
            try
            {
                var body = $$"""{"poster":{{poster}},"seq":{{seq}},"queue":"{{queue}}"}""";
                var document = $$"""{"messages":[{"ttl":3600,"body":{{body}}}]}""";
                using var content = new StringContent(document, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync($"/v2/queues/{queue}/messages", content, CancellationToken.None);
                if (response.StatusCode == System.Net.HttpStatusCode.Created)
                {
                    var posted = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                    var id = posted.GetProperty("resources")[0].GetString()!.Split('/')[^1];
                    var now = drill.Now;
                    _acknowledged[id] = now;
                    _ackTimes.Enqueue(now);
                }
                else
                {
                    _failures.Enqueue((drill.Now, $"HTTP {(int)response.StatusCode}"));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                _failures.Enqueue((drill.Now, ex.GetType().Name));
            }
            try
            {
                await Task.Delay(pause, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
