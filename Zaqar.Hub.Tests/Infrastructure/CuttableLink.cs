using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder on loopback between a client and a service, whose open connections a test can cut as a network would
/// (a reset, no close handshake), so a client sees its connection lost rather than closed (issue 11: reconnects).
/// Connections made after a cut are forwarded as usual.
/// </summary>
public sealed class CuttableLink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public CuttableLink(Uri target)
    {
        _target = target;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect instead of the service.</summary>
    public Uri Address { get; }

    /// <summary>While true, new connections are reset at once (a network that stays down; issue 13's recovery tests).</summary>
    public bool Refusing { get; set; }

    /// <summary>Resets every connection open now, on both sides.</summary>
    public void Cut()
    {
        foreach (var socket in _open.Keys)
        {
            _open.TryRemove(socket, out _);
            socket.LingerState = new LingerOption(true, 0); // Close with a reset.
            socket.Close();
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                if (Refusing)
                {
                    client.LingerState = new LingerOption(true, 0);
                    client.Close();
                    continue;
                }
                var service = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await service.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                _open[client] = 0;
                _open[service] = 0;
                _ = PumpAsync(client, service);
                _ = PumpAsync(service, client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, _stop.Token)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut, or stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
        _stop.Dispose();
    }
}
