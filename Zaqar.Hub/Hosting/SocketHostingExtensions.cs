using Zaqar.Hub.Api;
using Zaqar.Hub.Cluster;
using Zaqar.Hub.Sockets;

namespace Zaqar.Hub.Hosting;

/// <summary>Zaqar's own persistent transport (zaqar-v2-api.md 10, issue 13), served by the service on its own port.</summary>
public static class SocketHostingExtensions
{
    /// <summary>The path clients are configured with (Zaqar's own server answers on any path; ours on this one).</summary>
    public const string Path = "/v2/ws";

    /// <summary>The actions, the connection subscriptions and their push, fed like the hub's by local posts and the cluster feed.</summary>
    public static IServiceCollection AddZaqarSockets(this IServiceCollection services)
    {
        services.AddOptions<SocketOptions>().BindConfiguration(SocketOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SocketActions>();
        services.AddSingleton<SocketServices>();
        services.AddSingleton<SocketSubscriptions>();
        services.AddSingleton<IMessageObserver>(sp => sp.GetRequiredService<SocketSubscriptions>());
        services.AddSingleton<IRelayTarget>(sp => sp.GetRequiredService<SocketSubscriptions>());
        services.AddHostedService(sp => sp.GetRequiredService<SocketSubscriptions>());
        return services;
    }

    /// <summary>
    /// <see cref="Path"/>: a WebSocket upgrade starts a connection; any other request gets 400 with Zaqar's error body
    /// (the path is no REST resource). Off (WebSocket:Enabled false), the path is unknown like any other.
    /// </summary>
    public static IEndpointRouteBuilder MapZaqarSockets(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<SocketOptions>>().Value.Enabled)
        {
            return app;
        }
        app.Map(Path, async (HttpContext http, SocketServices services) =>
        {
            if (!http.WebSockets.IsWebSocketRequest)
            {
                throw ApiErrors.BadRequest($"{Path} is Zaqar's websocket transport: open it with a WebSocket upgrade (GET, Upgrade: websocket).");
            }
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            await new SocketConnection(socket, services, http.RequestAborted).RunAsync();
        });
        return app;
    }
}
