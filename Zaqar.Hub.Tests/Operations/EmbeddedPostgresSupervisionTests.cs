using System.Diagnostics;
using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Issue 10: the service supervises its embedded PostgreSQL. Its postmaster killed with SIGKILL under load, the service
/// restarts it by itself (with backoff, each attempt logged with the reason), ping and health say so meanwhile, posts
/// resume with no manual step, and nothing acknowledged before the kill is lost. The service runs as a separate process.
/// </summary>
public sealed class EmbeddedPostgresSupervisionTests
{
    [Fact]
    public async Task AKilledPostmasterIsRestartedAndPostsResumeWithNothingAcknowledgedLost()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "zaqar-sup-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string?>
            {
                ["Embedded__DataDirectory"] = dataDir,
                ["Embedded__CheckIntervalMilliseconds"] = "200",
                ["Embedded__RestartMinDelayMilliseconds"] = "200",
                ["Embedded__RestartMaxDelayMilliseconds"] = "1000",
            });
            var project = "sup-" + Guid.NewGuid().ToString("N")[..8];
            using var admin = service.Rest(project);
            admin.Http.DefaultRequestHeaders.Add("X-Roles", "admin");
            await using var posters = Posters.Start(service.Address, project, "orders", clients: 4);
            await posters.WaitForAsync(100);

            // While its configuration file is away the server cannot start: the restarts fail until the test puts it back.
            var config = Path.Combine(dataDir, "postgresql.conf");
            File.Move(config, config + ".away");
            var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDir, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            using (var process = Process.GetProcessById(postmaster))
            {
                process.Kill(); // SIGKILL
            }
            var acknowledgedBeforeKill = posters.Ids;

            // Until the supervisor notices (its next check), ping says only that storage does not answer.
            var ping = await UntilAsync(
                () => admin.GetAsync("/v2/ping"), r => r.Description?.StartsWith("The embedded PostgreSQL", StringComparison.Ordinal) == true);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ping.Status);
            Assert.Matches(@"^The embedded PostgreSQL is (down|restarting) \(restart attempt \d+\)\. Please try again", ping.Description);
            var health = await UntilAsync(() => admin.GetAsync("/v2/health"), r => Attempt(r) >= 2);
            Assert.False(health.Json!["storage_reachable"]!.GetValue<bool>());
            Assert.Contains(health.Json["embedded_postgres"]!["state"]!.GetValue<string>(), new[] { "down", "restarting" });
            Assert.Contains("postgresql.conf", health.Json["embedded_postgres"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);

            File.Move(config + ".away", config);
            // No manual step: the next attempt brings the server back and the posters get through again.
            await posters.WaitForAsync(posters.Ids.Count + 100);
            await posters.StopAsync();

            Assert.Equal(HttpStatusCode.NoContent, (await admin.GetAsync("/v2/ping")).Status);
            var running = (await admin.GetAsync("/v2/health")).Json!["embedded_postgres"]!;
            Assert.Equal("running", running["state"]!.GetValue<string>());
            Assert.Equal(1, running["restarts"]!.GetValue<int>());
            await Posters.AssertAllReadableAsync(admin, "orders", acknowledgedBeforeKill);
            await Posters.AssertAllReadableAsync(admin, "orders", posters.Ids);
            var log = service.Output;
            Assert.Contains($"Embedded PostgreSQL: the server is down: its postmaster (PID {postmaster}) is not running", log, StringComparison.Ordinal);
            Assert.Contains($"Embedded PostgreSQL: restart attempt 1 (down because its postmaster (PID {postmaster}) is not running)", log, StringComparison.Ordinal);
            Assert.Contains("Embedded PostgreSQL: restart attempt 2 ", log, StringComparison.Ordinal);
            Assert.Contains("Embedded PostgreSQL: back after ", log, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    private static int Attempt(ZaqarClient.Response health) =>
        health.Json?["embedded_postgres"]?["restart_attempt"]?.GetValue<int>() ?? 0;

    /// <summary>Asks until the answer satisfies <paramref name="done"/>, for 60 s at most.</summary>
    private static async Task<ZaqarClient.Response> UntilAsync(Func<Task<ZaqarClient.Response>> ask, Func<ZaqarClient.Response, bool> done)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var response = await ask();
            if (done(response))
            {
                return response;
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"still {(int)response.Status} {response.Text}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
