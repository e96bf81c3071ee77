using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
using Zaqar.Data.Embedded;

namespace Zaqar.Bench;

/// <summary>
/// What a service process holds after a full GC: resident memory, the managed heap, and of that the pinned object heap
/// (where Kestrel's memory pool keeps its blocks).
/// </summary>
internal readonly record struct ProcessMemory(long RssBytes, long HeapBytes, long PinnedBytes)
{
    public static ProcessMemory operator -(ProcessMemory a, ProcessMemory b) =>
        new(a.RssBytes - b.RssBytes, a.HeapBytes - b.HeapBytes, a.PinnedBytes - b.PinnedBytes);
}

/// <summary>
/// A service in a process of its own (issue 14 item 5: its memory is its own), listening on several loopback
/// addresses at one port. The full GC is forced from outside over EventPipe, as dotnet-gcdump does (the runtime's
/// GCHeapCollect keyword), so the service needs no endpoint for it; the heap is read from the GCHeapStats event of
/// that GC and the RSS from /proc.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, IReadOnlyList<IPEndPoint> endpoints)
    {
        _process = process;
        Endpoints = endpoints;
    }

    public IReadOnlyList<IPEndPoint> Endpoints { get; }

    public int Id => _process.Id;

    /// <summary>
    /// The built service (Zaqar.Hub beside the bench) on <paramref name="connectionString"/>, with the abuse limits off as
    /// for the bench's nodes in this process, and logging at warnings.
    /// </summary>
    public static Task<ServiceProcess> StartServiceAsync(string connectionString, int addresses, TimeSpan timeout)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Zaqar"] = connectionString,
            ["Limits__PermitsPerSecond"] = "0",
            ["Limits__MaxConnectionsPerProject"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        return StartAsync([Path.Combine(AppContext.BaseDirectory, "Zaqar.Hub.dll")], environment, addresses, timeout);
    }

    /// <summary>Starts <c>dotnet <paramref name="arguments"/></c> with <paramref name="environment"/> and waits until every address answers.</summary>
    public static async Task<ServiceProcess> StartAsync(
        IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, int addresses, TimeSpan timeout)
    {
        var port = LoopbackPort.Free();
        var endpoints = Enumerable.Range(1, addresses).Select(i => new IPEndPoint(IPAddress.Parse($"127.0.0.{i}"), port)).ToList();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        // The bench sized the shared array pool for its own process (Program.cs); a child sizes its own, as it does started
        // alone (the service's Main sizes it, the idle scenario's empty hub keeps the runtime's default).
        if (Zaqar.Hub.Hosting.SharedBufferPool.SetByThisProcess && !environment.ContainsKey(Zaqar.Hub.Hosting.SharedBufferPool.ArraysPerCoreVariable))
        {
            start.Environment.Remove(Zaqar.Hub.Hosting.SharedBufferPool.ArraysPerCoreVariable);
        }
        // Unprefixed, so it overrides the Urls of the service's appsettings.json.
        start.Environment["Urls"] = string.Join(';', endpoints.Select(e => $"http://{e}"));
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = new List<string>();
        void Keep(object _, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                lock (output)
                {
                    output.Add(line);
                }
            }
        }
        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, endpoints);
        var deadline = Stopwatch.StartNew();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var endpoint in endpoints)
        {
            while (true)
            {
                if (process.HasExited || deadline.Elapsed > timeout)
                {
                    await service.DisposeAsync();
                    throw new InvalidOperationException($"the service process did not come up on {endpoint}:\n{string.Join('\n', output.TakeLast(30))}");
                }
                try
                {
                    using var _ = await http.GetAsync(new Uri($"http://{endpoint}/"));
                    break;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    await Task.Delay(200);
                }
            }
        }
        return service;
    }

    /// <summary>Forces a full blocking GC in the process, then reads its managed heap (from that GC's statistics) and its RSS.</summary>
    public async Task<ProcessMemory> MeasureAfterFullGcAsync(TimeSpan timeout)
    {
        // Twice: the first collection lets finalizers run, the second frees what they released.
        await ForceFullGcAsync(timeout);
        var (heap, pinned) = await ForceFullGcAsync(timeout);
        return new ProcessMemory(ResidentBytes(_process.Id), heap, pinned);
    }

    private async Task<(long Heap, long Pinned)> ForceFullGcAsync(TimeSpan timeout)
    {
        var client = new DiagnosticsClient(_process.Id);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = client.StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords), requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        long heap = -1, pinned = 0;
        var induced = false;
        source.Clr.GCStart += e => induced |= e.Reason == GCReason.Induced && e.Depth == 2;
        source.Clr.GCHeapStats += e =>
        {
            if (induced && heap < 0)
            {
                heap = e.GenerationSize0 + e.GenerationSize1 + e.GenerationSize2 + e.GenerationSize3 + e.GenerationSize4;
                pinned = e.GenerationSize4;
                session.Stop();
            }
        };
        var processing = Task.Run(source.Process);
        if (await Task.WhenAny(processing, Task.Delay(timeout)) != processing)
        {
            session.Stop();
            throw new TimeoutException("the service's forced GC reported no heap statistics");
        }
        await processing;
        return heap >= 0 ? (heap, pinned) : throw new InvalidOperationException("the event stream ended before the forced GC's heap statistics");
    }

    /// <summary>VmRSS of /proc/PID/status, in bytes.</summary>
    public static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
