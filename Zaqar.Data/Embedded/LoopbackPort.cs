using System.Net;
using System.Net.Sockets;

namespace Zaqar.Data.Embedded;

/// <summary>Free TCP ports on 127.0.0.1, for the embedded PostgreSQL and for services started on loopback.</summary>
public static class LoopbackPort
{
    /// <summary>A port the OS had free a moment ago (it hands out a fresh one for port 0).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
