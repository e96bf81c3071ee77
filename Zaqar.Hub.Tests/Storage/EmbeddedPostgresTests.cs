using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Storage;

public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task MissingServerBinariesGiveAnErrorSayingWhatToDo()
    {
        var empty = Directory.CreateTempSubdirectory("zaqar-nobin-");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedPostgres.StartAsync(
                new EmbeddedPostgresOptions { BinDirectory = empty.FullName }, NullLogger.Instance, TestContext.Current.CancellationToken));
            Assert.Contains("holds no pg_ctl", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ANonEmptyDirectoryThatIsNoClusterIsRefused()
    {
        var dir = Directory.CreateTempSubdirectory("zaqar-notpg-");
        await File.WriteAllTextAsync(Path.Combine(dir.FullName, "precious.txt"), "keep me", TestContext.Current.CancellationToken);
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedPostgres.StartAsync(
                new EmbeddedPostgresOptions { DataDirectory = dir.FullName }, NullLogger.Instance, TestContext.Current.CancellationToken));
            Assert.Contains("not empty", error.Message, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(dir.FullName, "precious.txt")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The README's run command: no connection string, so the service runs its own cluster, which keeps data across restarts.</summary>
    [Fact]
    public async Task ServiceWithoutAConnectionStringRunsOnItsOwnPersistentCluster()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "zaqar-svc-" + Guid.NewGuid().ToString("N")[..8]);
        var ct = TestContext.Current.CancellationToken;
        try
        {
            string messageId;
            await using (var first = await ServiceProcess.StartAsync(dataDir, ct))
            {
                var posted = await first.Http.PostAsync("/v2/queues/kept/messages",
                    new StringContent("""{"messages":[{"body":"survives restarts","ttl":3600}]}""", System.Text.Encoding.UTF8, "application/json"), ct);
                Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
                messageId = posted.Headers.Location!.OriginalString.Split('=')[^1];
            }
            Assert.False(File.Exists(Path.Combine(dataDir, "postmaster.pid")), "the cluster should stop with the service");

            await using var second = await ServiceProcess.StartAsync(dataDir, ct);
            var read = await second.Http.GetStringAsync($"/v2/queues/kept/messages/{messageId}", ct);
            Assert.Contains("survives restarts", read, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    /// <summary>The service as a separate process (dotnet Zaqar.Hub.dll), stopped with SIGTERM like Ctrl+C.</summary>
    private sealed class ServiceProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private ServiceProcess(Process process, HttpClient http)
        {
            _process = process;
            Http = http;
        }

        public HttpClient Http { get; }

        public static async Task<ServiceProcess> StartAsync(string dataDir, CancellationToken ct)
        {
            var port = LoopbackPort.Free();
            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Zaqar.Hub.dll"));
            psi.Environment["ConnectionStrings__Zaqar"] = string.Empty;
            psi.Environment["Embedded__DataDirectory"] = dataDir;
            psi.Environment["Urls"] = $"http://127.0.0.1:{port}";
            var process = Process.Start(psi)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Add("Client-ID", Guid.NewGuid().ToString());
            http.DefaultRequestHeaders.Add("X-Project-ID", "embedded");
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                ct.ThrowIfCancellationRequested();
                Assert.False(process.HasExited, "the service exited while starting");
                try
                {
                    if ((await http.GetAsync("/v2/ping", ct)).StatusCode == HttpStatusCode.NoContent)
                    {
                        return new ServiceProcess(process, http);
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.Delay(200, ct);
            }
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the service did not answer /v2/ping within 90 s");
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            if (!_process.HasExited)
            {
                Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await _process.WaitForExitAsync(timeout.Token);
            }
            _process.Dispose();
        }

    }
}
