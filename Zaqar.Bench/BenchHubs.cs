using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Zaqar.Client;

namespace Zaqar.Bench;

/// <summary>The two hub protocols the bench drives.</summary>
internal enum HubWireProtocol
{
    Json,
    MessagePack,
}

/// <summary>
/// Hub connections of the bench: the official .NET client (issue 11) over WebSockets without negotiation, as a service
/// on the same network would connect, with Zaqar's MessagePack formatters for bodies and views.
/// </summary>
internal static class BenchHubs
{
    public static HubConnection Build(Uri url, HubWireProtocol protocol)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(url, HttpTransportType.WebSockets, o => o.SkipNegotiation = true)
            .WithServerTimeout(TimeSpan.FromMinutes(2));
        if (protocol == HubWireProtocol.MessagePack)
        {
            builder.AddZaqarMessagePackProtocol();
        }
        return builder.Build();
    }

    public static async Task<HubConnection> ConnectAsync(Uri url, HubWireProtocol protocol)
    {
        var hub = Build(url, protocol);
        await hub.StartAsync();
        return hub;
    }
}
