using System.Text.Json.Nodes;
using Zaqar.Hub.Api.Auth;
using Zaqar.Hub.Sockets;
using Zaqar.Hub.Tests.Sockets;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>How A's websocket frames name A's project.</summary>
public enum SocketIdentityKind
{
    /// <summary>No-auth mode: X-Project-ID of A in every frame (with X-Roles: admin).</summary>
    Headers,

    /// <summary>JWT mode: the connection authenticated with A's token.</summary>
    Token,

    /// <summary>A's pre-signed URL of its shared queue in every frame: actions outside it are refused (403).</summary>
    SignedUrl,
}

/// <summary>
/// One websocket case in progress (issue 13): A's connection to Zaqar's websocket transport, every frame it sent with its
/// answer (for the leak check), and the pushes it received. With pre-signed frames, an action outside the grant must be
/// refused with 403 "Not authentified." and ends the case (<see cref="OutOfScopeException"/>).
/// </summary>
internal sealed class SocketRun(TenantA a, TenantB b, SocketTestClient client, bool binary, JsonObject headers, SignedScope? scope)
{
    private readonly List<(string Action, string Request, string Answer)> _exchanges = [];
    private readonly List<string> _pushes = [];

    public TenantA A => a;

    public TenantB B => b;

    public IReadOnlyList<(string Action, string Request, string Answer)> Exchanges => _exchanges;

    public IReadOnlyList<string> Pushes => _pushes;

    /// <summary>Sends one frame of A's; returns its answer (pushes that come first are recorded).</summary>
    public async Task<JsonNode> CallAsync(string action, object? body = null, JsonObject? extraHeaders = null)
    {
        var frameHeaders = (JsonObject)headers.DeepClone();
        foreach (var (name, value) in extraHeaders ?? [])
        {
            frameHeaders[name] = value?.DeepClone();
        }
        var request = new JsonObject { ["action"] = action, ["headers"] = frameHeaders };
        if (body is not null)
        {
            request["body"] = System.Text.Json.JsonSerializer.SerializeToNode(body);
        }
        await client.SendJsonAsync(request, binary);
        JsonNode answer;
        while ((answer = await client.ReceiveJsonAsync(binary))["request"] is null)
        {
            _pushes.Add(answer.ToJsonString());
        }
        _exchanges.Add((action, request.ToJsonString(), answer.ToJsonString()));
        if (scope is not null && answer.Status() == 403 && answer.Error() == "Not authentified.")
        {
            using var frame = SocketFrame.Decode(System.Text.Encoding.UTF8.GetBytes(request.ToJsonString()), binary: false, maxDepth: 64);
            var mapped = SocketScopes.For(action, frame);
            Assert.False(mapped is { } m && scope.Allows(m.Method, m.Path), $"{action} is inside A's pre-signed URL, yet it was refused");
            throw new OutOfScopeException();
        }
        return answer;
    }

    /// <summary>Sends a frame that must succeed with <paramref name="status"/>; returns the answer's body.</summary>
    public async Task<JsonNode?> OkAsync(int status, string action, object? body = null)
    {
        var answer = await CallAsync(action, body);
        Assert.True(answer.Status() == status, $"{action}: expected {status}, got {answer.ToJsonString()}");
        return answer.Body();
    }

    /// <summary>Waits for the next push to A's connection.</summary>
    public async Task<JsonNode> NextPushAsync()
    {
        var push = await client.ReceiveJsonAsync(binary);
        Assert.Null(push["request"]);
        _pushes.Add(push.ToJsonString());
        return push;
    }
}
