using System.Diagnostics;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>
/// The node suites in js/: the hub through the real JS client (@microsoft/signalr and
/// @microsoft/signalr-protocol-msgpack 10.0.x) over WebSockets, long polling and Server-Sent Events with JSON
/// and MessagePack (js/tests), and the web console in a real browser (js/browser).
/// </summary>
public sealed class JsClientTests(ZaqarTestServer server)
{
    /// <summary>Each file of js/tests is its own result, so a failure names the JS area it is in (issue 12).</summary>
    public static TheoryData<string> JsClientTestFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot(), "Zaqar.Hub.Tests", "js", "tests"), "*.test.mjs").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(JsClientTestFiles))]
    public Task OfficialJsClientTestsPass(string file) => RunNodeSuiteAsync("tests/" + file);

    /// <summary>
    /// The web console in Debian's chromium, driven by playwright-core (issue #5): over WebSockets, and with
    /// WebSockets blocked so long polling carries it; its operator features (issue 15 item 6) on a deployment with
    /// pooling on (a registered pool, and a spare database to register another from the page) and pre-signed URLs on.
    /// Screenshots go to artifacts/screenshots.
    /// </summary>
    [Fact]
    public async Task ConsoleWorksInChromium()
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "chromium is required: run ./test.sh (it installs Debian's chromium)");
        await using var deployment = await Pools.PooledDeployment.StartAsync(server, new Dictionary<string, string?>
        {
            ["SignedUrl:SecretKey"] = "console-test-secret",
        });
        await deployment.AddPoolAsync("console-pool");
        var spare = await Pools.PooledDeployment.CreateDatabaseAsync(server, "zpool");
        await RunNodeSuiteAsync("browser/", new Dictionary<string, string>
        {
            ["SCREENSHOT_DIR"] = Path.Combine(RepositoryRoot(), "artifacts", "screenshots"),
            ["CHROMIUM"] = "/usr/bin/chromium",
            ["POOL_NAME"] = "console-pool",
            ["POOL_URI"] = spare,
        }, node: deployment.AddNode());
    }

    /// <summary>The hub with production authentication: tokens, expiry, pre-signed URLs, the connection cap (issue #6).</summary>
    [Fact]
    public Task HubAuthenticationSuitePasses() => RunNodeSuiteAsync("security/", new Dictionary<string, string>
    {
        ["JWT_KEY"] = Security.Tokens.Key,
        ["JWT_ISSUER"] = Security.Tokens.Issuer,
        ["JWT_AUDIENCE"] = Security.Tokens.Audience,
    }, new Dictionary<string, string?>(Security.Tokens.JwtSettings())
    {
        ["Auth:Jwt:ClockSkewSeconds"] = "0",
        ["Limits:MaxConnectionsPerProject"] = "3",
    });

    /// <param name="node">The service to test (disposed by its owner); by default one made here with <paramref name="settings"/>.</param>
    private async Task RunNodeSuiteAsync(
        string tests, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyDictionary<string, string?>? settings = null,
        ZaqarFactory? node = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var suite = Path.Combine(RepositoryRoot(), "Zaqar.Hub.Tests", "js");
        Assert.True(Directory.Exists(Path.Combine(suite, "node_modules", "@microsoft", "signalr-protocol-msgpack")),
            $"npm packages are missing in {suite}: run ./test.sh (it runs npm ci in Zaqar.Hub.Tests/js)");
        var port = LoopbackPort.Free();
        await using var owned = node is null ? server.CreateFactory(settings) : null;
        var factory = node ?? owned!;
        factory.UseKestrel(port);
        factory.StartServer();

        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = suite,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // A failed assertion can leave a connection open; force-exit keeps that from hanging the run.
        foreach (var arg in new[] { "--test", "--test-concurrency=1", "--test-timeout=90000", "--test-force-exit", tests })
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["HUB_BASE"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        // node --test writes TAP: a failing test is a "not ok N - name" line, at any nesting.
        var failed = output.Split('\n').Select(l => l.TrimStart()).Where(l => l.StartsWith("not ok", StringComparison.Ordinal)).ToList();
        var errors = string.Join('\n', output.Split('\n').Where(l => l.Contains("error:", StringComparison.Ordinal)));
        Assert.True(process.ExitCode == 0 && failed.Count == 0,
            $"node tests ({tests}) failed: {failed.Count} of them:\n{string.Join('\n', failed)}\n\n{errors}\n\n{output}\n{await stderr}");
        Assert.Contains("# fail 0", output, StringComparison.Ordinal);
    }

    /// <summary>The suite runs where npm installed its packages: the source tree, found above the test binaries.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ZaqarHub.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ZaqarHub.sln not found above " + AppContext.BaseDirectory);
    }

}
