using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>
/// The official JS client in a node process (js/interop/peer.mjs), driven one request at a time over its stdin and stdout:
/// the JS side of the interop matrix (issue 11).
/// </summary>
public sealed class JsPeer : IAsyncDisposable
{
    private readonly Process _node;
    private int _nextId;

    private JsPeer(Process node) => _node = node;

    /// <summary>Starts the peer against the service at <paramref name="hubBase"/>.</summary>
    public static JsPeer Start(Uri hubBase)
    {
        var suite = Path.Combine(JsClientTests.RepositoryRoot(), "Zaqar.Hub.Tests", "js");
        Assert.True(Directory.Exists(Path.Combine(suite, "node_modules", "@microsoft", "signalr-protocol-msgpack")),
            $"npm packages are missing in {suite}: run ./test.sh (it runs npm ci in Zaqar.Hub.Tests/js)");
        var psi = new ProcessStartInfo("node", "interop/peer.mjs")
        {
            WorkingDirectory = suite,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["HUB_BASE"] = hubBase.ToString().TrimEnd('/');
        return new JsPeer(Process.Start(psi)!);
    }

    /// <summary>Runs one operation of the peer and returns its result; a failed one throws with the peer's error.</summary>
    public async Task<JsonNode?> CallAsync(string op, object arguments)
    {
        var request = JsonSerializer.SerializeToNode(arguments)!.AsObject();
        request["id"] = ++_nextId;
        request["op"] = op;
        await _node.StandardInput.WriteLineAsync(request.ToJsonString());
        await _node.StandardInput.FlushAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var line = await _node.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException("the JS peer exited: " + await _node.StandardError.ReadToEndAsync());
        var answer = JsonNode.Parse(line)!;
        return answer["ok"]!.GetValue<bool>()
            ? answer["result"]
            : throw new InvalidOperationException($"JS peer {op} failed: {answer["error"]}");
    }

    public async ValueTask DisposeAsync()
    {
        _node.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _node.Kill(entireProcessTree: true);
        }
        _node.Dispose();
    }
}
