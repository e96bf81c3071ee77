using System.Diagnostics;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Cluster;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Sockets;

/// <summary>
/// Zaqar's websocket transport as its clients talk to it (issue 13): a plain Python WebSocket client (Debian's
/// python3-websocket, with python3-msgpack) sends the contract's frames for every action of zaqar-v2-api.md 10.2, with
/// JSON text frames and with MessagePack binary frames, checks the errors as Zaqar answers them, and receives pushes of
/// posts made over the websocket, over REST and on another node of the same database.
/// </summary>
public sealed class PythonWebSocketClientTests(DefaultNodePair nodes) : IClassFixture<DefaultNodePair>
{
    private const string Python = "/usr/bin/python3";

    [Theory]
    [InlineData("json")]
    [InlineData("msgpack")]
    public async Task EveryActionErrorAndPushWorksForAPlainWebSocketClient(string frames)
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(File.Exists(Python), "python3 is required (apt-get install python3-websocket python3-msgpack)");
        var project = $"pyws-{frames}-" + Guid.NewGuid().ToString("N")[..8];
        var ws = new UriBuilder(nodes.A.Address) { Scheme = "ws", Path = "/v2/ws" }.Uri;

        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Clients", "zaqar_websocket_actions.py"));
        foreach (var argument in new[] { frames, ws.ToString(), Trim(nodes.A.Address), Trim(nodes.B.Address), project })
        {
            psi.ArgumentList.Add(argument);
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"the script failed:\n{await stdout}\n{await stderr}");

        var results = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToList();
        var failed = results.Where(r => !r["ok"]!.GetValue<bool>())
            .Select(r => $"- {r["case"]}\n{r["detail"]}").ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', results.Select(r => $"{(r["ok"]!.GetValue<bool>() ? "ok  " : "FAIL")} {r["case"]}")));
        Assert.True(failed.Count == 0, $"{failed.Count} of {results.Count} cases failed ({frames} frames):\n{string.Join('\n', failed)}");
        Assert.True(results.Count >= 30, $"only {results.Count} cases ran");
    }

    private static string Trim(Uri address) => address.ToString().TrimEnd('/');
}
