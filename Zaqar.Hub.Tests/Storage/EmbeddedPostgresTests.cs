using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Zaqar.Data.Embedded;
using Zaqar.Hub.Tests.Infrastructure;

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

    /// <summary>
    /// Issue 10: a server killed with SIGKILL leaves its postmaster.pid behind, and the PID in it may belong to another
    /// live process by the next start (PIDs are reused). The server starts all the same, and that process gets no signal.
    /// </summary>
    [Fact]
    public async Task AStaleLockFileNamingAnotherLiveProcessNeitherKeepsTheServerDownNorHarmsThatProcess()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDir = Path.Combine(Path.GetTempPath(), "zaqar-stale-" + Guid.NewGuid().ToString("N")[..8]);
        var options = new EmbeddedPostgresOptions { DataDirectory = dataDir, Durable = false };
        var lockFile = Path.Combine(dataDir, "postmaster.pid");
        using var bystander = Process.Start("sleep", "300");
        try
        {
            string[] written;
            await using (var first = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, ct))
            {
                written = await File.ReadAllLinesAsync(lockFile, ct);
            }
            written[0] = bystander.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await File.WriteAllLinesAsync(lockFile, written, ct);

            await using var second = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, ct);

            Assert.Equal(ServerCondition.Answering, (await second.CheckAsync(TimeSpan.FromSeconds(5), ct)).Condition);
            Assert.False(bystander.HasExited, "the process the stale lock file named was signalled");
        }
        finally
        {
            bystander.Kill();
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
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
            var environment = new Dictionary<string, string?> { ["Embedded__DataDirectory"] = dataDir };
            string messageId;
            await using (var first = await ServiceProcess.StartAsync(environment))
            {
                using var rest = first.Rest("embedded");
                messageId = (await rest.PostMessagesAsync("kept", "survives restarts"))[0];
            }
            Assert.False(File.Exists(Path.Combine(dataDir, "postmaster.pid")), "the cluster should stop with the service");

            await using var second = await ServiceProcess.StartAsync(environment);
            using var again = second.Rest("embedded");
            var read = await again.GetAsync($"/v2/queues/kept/messages/{messageId}");
            Assert.Equal(HttpStatusCode.OK, read.Status);
            Assert.Equal("survives restarts", read.Json!["body"]!.GetValue<string>());
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }
}
