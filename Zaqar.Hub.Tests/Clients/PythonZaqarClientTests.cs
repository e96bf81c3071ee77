using System.Diagnostics;
using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>Zaqar's own Python client (Debian's python3-zaqarclient) drives the REST API unchanged (issue #2).</summary>
public sealed class PythonZaqarClientTests(ZaqarTestServer server)
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task ZaqarClientCreatesPostsListsClaimsDeletesAndReadsStats()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(File.Exists(Python), "python3 is required (apt-get install python3-zaqarclient)");
        var port = LoopbackPort.Free();
        await using var factory = server.CreateFactory();
        factory.UseKestrel(port);
        factory.StartServer();
        var project = "py-" + Guid.NewGuid().ToString("N")[..10];

        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Clients", "zaqarclient_roundtrip.py"));
        psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        psi.ArgumentList.Add(project);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"zaqarclient failed:\n{await stdout}\n{await stderr}");
        Assert.Contains("\"claimed\": 2", await stdout, StringComparison.Ordinal);

        // What the client left behind is what the API reports to anyone else.
        using var client = new ZaqarClient(server.Factory.CreateClient(), project, Guid.NewGuid().ToString());
        var listed = (await client.GetAsync("/v2/queues/py-orders/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal("kept", Assert.Single(listed)!["body"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v2/queues/py-orders")).Status);
    }

}
