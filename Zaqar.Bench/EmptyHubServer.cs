using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Zaqar.Bench;

/// <summary>
/// The idle scenario's baseline (issue 14 item 5): a minimal ASP.NET Core app with an empty SignalR hub and the
/// MessagePack protocol, in a process of its own (the bench started with <see cref="Argument"/>). Its one method does
/// nothing, so the clients make the same calls as on the service.
/// </summary>
internal static class EmptyHubServer
{
    public const string Argument = "--empty-hub-server";

    public const string Path = "/hubs/empty";

    public static async Task RunAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSignalR().AddMessagePackProtocol();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/", () => "empty hub");
        app.MapHub<EmptyHub>(Path);
        await app.RunAsync();
    }

    /// <summary>A hub with no state: Subscribe is accepted and does nothing.</summary>
    internal sealed class EmptyHub : Microsoft.AspNetCore.SignalR.Hub
    {
        public void Subscribe(string queue) => _ = (queue, Context);
    }
}
