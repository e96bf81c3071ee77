using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace Zaqar.SignalR.Client;

/// <summary>Negotiate (optional) and the WebSocket upgrade: everything before the SignalR handshake.</summary>
internal static class HubConnector
{
    /// <summary>
    /// The ws(s):// address to open (with the connection token when negotiated), and whether stateful reconnect was granted.
    /// </summary>
    public static async Task<(Uri Url, bool StatefulReconnect)> ResolveAsync(Uri url, HubWireClientOptions options, CancellationToken ct)
    {
        if (!options.Negotiate && !options.UseStatefulReconnect)
        {
            return (WithScheme(url, websocket: true), false);
        }
        var negotiateUrl = new UriBuilder(WithScheme(url, websocket: false));
        negotiateUrl.Path = negotiateUrl.Path.TrimEnd('/') + "/negotiate";
        var parameters = "negotiateVersion=1" + (options.UseStatefulReconnect ? "&useStatefulReconnect=true" : string.Empty);
        negotiateUrl.Query = AppendQuery(negotiateUrl.Query, parameters);

        using var request = new HttpRequestMessage(HttpMethod.Post, negotiateUrl.Uri);
        foreach (var (name, value) in options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var ownHttp = options.Http is null ? new HttpClient() : null;
        using var response = await (options.Http ?? ownHttp!).SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HubConnectException($"Negotiate was refused with HTTP {(int)response.StatusCode}: {text}", response.StatusCode);
        }
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            throw new HubConnectException("Negotiate failed: " + error.GetString());
        }
        var token = root.TryGetProperty("connectionToken", out var t) ? t.GetString() : null;
        if (string.IsNullOrEmpty(token))
        {
            throw new HubConnectException("Negotiate returned no connection token: " + text);
        }
        var stateful = root.TryGetProperty("useStatefulReconnect", out var s) && s.ValueKind == JsonValueKind.True;
        var socketUrl = new UriBuilder(WithScheme(url, websocket: true));
        socketUrl.Query = AppendQuery(socketUrl.Query, "id=" + Uri.EscapeDataString(token));
        return (socketUrl.Uri, stateful);
    }

    public static async Task<WebSocket> OpenSocketAsync(Uri url, HubWireClientOptions options, CancellationToken ct)
    {
        var headers = new Dictionary<string, string>(options.Headers, StringComparer.OrdinalIgnoreCase);
        if (options.WebSocketFactory is { } factory)
        {
            return await factory(url, headers, ct);
        }
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true; // So a refused upgrade tells its status.
        foreach (var (name, value) in headers)
        {
            socket.Options.SetRequestHeader(name, value);
        }
        try
        {
            await socket.ConnectAsync(url, options.Http, ct);
            return socket;
        }
        catch (WebSocketException ex)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw status == 0
                ? new HubConnectException($"Could not open a WebSocket to {url}: {ex.Message}", null, ex)
                : new HubConnectException($"The server refused the WebSocket upgrade with HTTP {(int)status}.", status, ex);
        }
    }

    private static Uri WithScheme(Uri url, bool websocket)
    {
        var builder = new UriBuilder(url);
        builder.Scheme = (builder.Scheme, websocket) switch
        {
            ("http" or "ws", true) => "ws",
            ("https" or "wss", true) => "wss",
            ("http" or "ws", false) => "http",
            ("https" or "wss", false) => "https",
            _ => throw new ArgumentException($"The hub address must be http(s) or ws(s): {url}", nameof(url)),
        };
        if (url.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri;
    }

    private static string AppendQuery(string query, string parameters) =>
        string.IsNullOrEmpty(query) || query == "?" ? parameters : query.TrimStart('?') + "&" + parameters;
}
