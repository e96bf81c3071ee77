using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>
/// The service as a separate process (dotnet Zaqar.Hub.dll) on a loopback port, for what only a process can show: a
/// SIGKILL of the service or of its embedded PostgreSQL, a stop with SIGTERM like Ctrl+C, what it writes to its console.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private ServiceProcess(Process process, ConcurrentQueue<string> output, Uri address)
    {
        _process = process;
        _output = output;
        Address = address;
    }

    /// <summary>http://127.0.0.1:port</summary>
    public Uri Address { get; }

    /// <summary>What the service wrote to its console so far (the default console log format: a header line, then the message).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts the service with <paramref name="environment"/> (configuration as environment variables, e.g.
    /// <c>Embedded__DataDirectory</c>) on <paramref name="port"/> (null: a free one), and waits until /v2/ping answers 204.
    /// Without <c>ConnectionStrings__Zaqar</c> in the environment it runs its embedded PostgreSQL.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, int? port = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var address = new Uri($"http://127.0.0.1:{port ?? LoopbackPort.Free()}");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Zaqar.Hub.dll"));
        psi.Environment["ConnectionStrings__Zaqar"] = string.Empty;
        psi.Environment["Urls"] = address.ToString();
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }
        var output = new ConcurrentQueue<string>();
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, output, address);
        using var client = service.Rest("ping");
        // A guard against a hang, not a speed check: a fresh process (and cluster) starts slowly on a machine this busy.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(180))
        {
            Assert.False(process.HasExited, "the service exited while starting: " + service.Output);
            try
            {
                if ((await client.Http.GetAsync("/v2/ping", ct)).StatusCode == HttpStatusCode.NoContent)
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100, ct);
        }
        service.Kill();
        throw new TimeoutException("the service did not answer /v2/ping within 180 s: " + service.Output);
    }

    /// <summary>A REST client of <paramref name="project"/> on this service.</summary>
    public ZaqarClient Rest(string project) => new(new HttpClient { BaseAddress = Address }, project, Guid.NewGuid().ToString());

    /// <summary>kill -9: the service ends at once, with whatever it had in flight.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(); // SIGKILL on Unix.
        }
        _process.WaitForExit();
    }

    /// <summary>Sends SIGTERM (as an orchestrator stopping the node does) and returns at once.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

    /// <summary>The exit code, once the service has exited (after <see cref="StopAsync"/>).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Stops the service with SIGTERM, as Ctrl+C does, and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        Terminate();
        await ExitedAsync();
    }

    /// <summary>Waits for the service to exit (after <see cref="Terminate"/>), killing it after 60 s.</summary>
    public async Task ExitedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException("the service did not stop within 60 s of SIGTERM");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }
}
