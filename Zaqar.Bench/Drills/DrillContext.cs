using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Zaqar.Bench.Drills;

/// <summary>
/// What every drill (issue 16) shares: the deployment's balancer address, deploy/cluster.sh for the faults (the script
/// alone knows the processes), a clock since the drill started, and the lines it prints.
/// </summary>
internal sealed class DrillContext
{
    /// <summary>HAProxy's stats page as CSV (deploy/haproxy.cfg.in).</summary>
    private static readonly Uri BalancerStats = new("http://127.0.0.1:5899/;csv");

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _script;
    private int _failedVerdicts;

    public DrillContext(Uri balancer, string script)
    {
        Balancer = balancer;
        _script = script;
        Project = "drill-" + Guid.NewGuid().ToString("N")[..8];
    }

    public Uri Balancer { get; }

    /// <summary>A project of its own per run, so runs never see each other's messages.</summary>
    public string Project { get; }

    public Guid ClientId { get; } = Guid.NewGuid();

    /// <summary>Milliseconds since the drill started: the time axis of every figure printed.</summary>
    public long Now => _clock.ElapsedMilliseconds;

    public bool Passed => _failedVerdicts == 0;

    public void Say(string line) => Console.WriteLine($"[{Now / 1000.0,7:F1} s] {line}");

    /// <summary>Prints a verdict line; a failed one makes the drill fail.</summary>
    public void Verdict(string what, bool passed, string figures)
    {
        if (!passed)
        {
            Interlocked.Increment(ref _failedVerdicts);
        }
        Console.WriteLine($"  {(passed ? "PASS" : "FAIL")}  {what}: {figures}");
    }

    /// <summary>Runs <c>deploy/cluster.sh</c> with <paramref name="arguments"/>; its standard output, trimmed.</summary>
    public async Task<string> ClusterAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(_script) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{_script} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var said = (await errors).Trim();
        if (said.Length > 0)
        {
            Say($"cluster.sh {string.Join(' ', arguments)}: {said.ReplaceLineEndings(" | ")}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cluster.sh {string.Join(' ', arguments)} failed ({process.ExitCode})");
        }
        return (await output).Trim();
    }

    /// <summary>The state HAProxy's stats page gives <paramref name="server"/> in backend "nodes" (UP, DOWN, ...).</summary>
    public static async Task<string> BalancerStateAsync(string server)
    {
        using var stats = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var csv = await stats.GetStringAsync(BalancerStats);
        var row = csv.Split('\n').Select(l => l.Split(',')).FirstOrDefault(f => f.Length > 17 && f[0] == "nodes" && f[1] == server);
        return row?[17] ?? "?";
    }

    /// <summary>The node's own address, past the balancer (deploy/cluster.sh: node N listens on 5800 + N).</summary>
    public static Uri NodeAddress(string node) => new($"http://127.0.0.1:{5800 + int.Parse(node[4..], System.Globalization.CultureInfo.InvariantCulture)}");

    /// <summary>An HTTP client through the balancer with this run's identity headers.</summary>
    public HttpClient Http(TimeSpan? timeout = null, Uri? address = null)
    {
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = address ?? Balancer,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        };
        http.DefaultRequestHeaders.Add("Client-ID", ClientId.ToString());
        http.DefaultRequestHeaders.Add("X-Project-ID", Project);
        return http;
    }

    /// <summary>Creates a queue on the flavor's pool (deploy/cluster.sh registers flavor "a" for pool-a and "b" for pool-b).</summary>
    public async Task CreateQueueAsync(string queue, string? flavor)
    {
        using var http = Http();
        var metadata = flavor is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["_flavor"] = flavor };
        using var response = await http.PutAsJsonAsync($"/v2/queues/{queue}", metadata);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every message id still in <paramref name="queue"/>, claimed or not, page by page.</summary>
    public async Task<HashSet<string>> ListIdsAsync(string queue)
    {
        using var http = Http(TimeSpan.FromSeconds(30));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var next = $"/v2/queues/{queue}/messages?include_claimed=true&echo=true&limit=20";
        while (true)
        {
            using var response = await http.GetAsync(next);
            response.EnsureSuccessStatusCode();
            if (response.StatusCode == System.Net.HttpStatusCode.NoContent)
            {
                return ids;
            }
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            var messages = page.GetProperty("messages");
            if (messages.GetArrayLength() == 0)
            {
                return ids;
            }
            foreach (var message in messages.EnumerateArray())
            {
                ids.Add(message.GetProperty("id").GetString()!);
            }
            next = page.GetProperty("links").EnumerateArray().First(l => l.GetProperty("rel").GetString() == "next").GetProperty("href").GetString()!;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes; whether it held.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                // Not there yet.
            }
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(200));
        }
        return false;
    }
}
