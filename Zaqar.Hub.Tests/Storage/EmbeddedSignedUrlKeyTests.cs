using System.Net;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Hosting;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Storage;

/// <summary>
/// Issue 13 item 4: in development mode (embedded PostgreSQL, no connection string) <c>/share</c> works out of the box,
/// signed with a secret generated once and kept in the embedded data directory; an explicit SignedUrl:SecretKey wins.
/// </summary>
public sealed class EmbeddedSignedUrlKeyTests
{
    private static readonly DateTime Expires = new(2099, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    /// <summary>The signature a share of GET on q's messages gets, expiring at <see cref="Expires"/>.</summary>
    private static async Task<string> ShareAsync(ServiceProcess service, string project)
    {
        using var rest = service.Rest(project);
        var share = await rest.PostAsync("/v2/queues/q/share", new { paths = new[] { "messages" }, methods = new[] { "GET" }, expires = "2099-01-02T03:04:05" });
        Assert.True(share.Status == HttpStatusCode.OK, $"share: {(int)share.Status} {share.Text}");
        return share.Json!["signature"]!.GetValue<string>();
    }

    private static string SignedWith(string key, string project) =>
        new SignedUrls(Options.Create(new SignedUrlOptions { SecretKey = key }), TimeProvider.System)
            .Create(["/v2/queues/q/messages"], ["GET"], project, Expires).Signature;

    [Fact]
    public async Task InDevelopmentModeShareWorksWithAKeptGeneratedSecretAndAnExplicitKeyWins()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "zaqar-key-" + Guid.NewGuid().ToString("N")[..8]);
        var keyFile = Path.Combine(dataDir, DevelopmentSignedUrlKey.FileName);
        try
        {
            var environment = new Dictionary<string, string?> { ["Embedded__DataDirectory"] = dataDir };
            await using (var generated = await ServiceProcess.StartAsync(environment))
            {
                var signature = await ShareAsync(generated, "dev");
                var key = (await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken)).Trim();
                Assert.Equal(64, key.Length);
                Assert.Equal(SignedWith(key, "dev"), signature);
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
                }
            }
            var kept = await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken);

            environment["SignedUrl__SecretKey"] = "explicit-key";
            await using (var configured = await ServiceProcess.StartAsync(environment))
            {
                Assert.Equal(SignedWith("explicit-key", "dev"), await ShareAsync(configured, "dev"));
            }
            Assert.Equal(kept, await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken));
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
