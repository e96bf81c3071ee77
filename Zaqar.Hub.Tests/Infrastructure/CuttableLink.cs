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
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public CuttableLink(Uri target)
    {
        Target = target;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    /// <summary>Where new connections are forwarded; changing it makes the link a balancer that moved to another node (issue 15).</summary>
    public Uri Target { get; set; }

    /// <summary>Where clients connect instead of the service.</summary>
    public Uri Address { get; }

    /// <summary>While true, new connections are reset at once (a network that stays down; issue 13's recovery tests).</summary>
    public bool Refusing { get; set; }

    /// <summary>
    /// While true, nothing crosses the link and nothing is refused: bytes sent either way are held, new connections are
    /// accepted and wait, as packets are lost in a network partition (issue 16); set false, everything held flows on.
    /// </summary>
    public bool Silent
    {
        get => !_flowing.Task.IsCompleted;
        set
        {
            if (value == Silent)
            {
                return;
            }
            if (value)
            {
                _flowing = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                _flowing.TrySetResult();
            }
        }
    }

    private volatile TaskCompletionSource _flowing = Flowing();

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    /// <summary>Resets every connection open now, on both sides.</summary>
    public void Cut()
    {
        foreach (var socket in _open.Keys)
        {
            if (_open.TryRemove(socket, out _))
            {
                Reset(socket);
            }
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // Close with a reset.
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Closed already.
        }
        socket.Close();
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
                _ = ConnectAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ConnectAsync(Socket client)
    {
        try
        {
            _open[client] = 0;
            await _flowing.Task.WaitAsync(_stop.Token);
            var service = new Socket(SocketType.Stream, ProtocolType.Tcp);
            var target = Target;
            await service.ConnectAsync(target.Host, target.Port, _stop.Token);
            _open[service] = 0;
            _ = PumpAsync(client, service);
            _ = PumpAsync(service, client);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            if (_open.TryRemove(client, out _))
            {
                Reset(client);
            }
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
                await _flowing.Task.WaitAsync(_stop.Token);
                await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut, stopped, or reset by one side: the other side is reset too, as a balancer passes a backend's reset on.
            if (_open.TryRemove(to, out _))
            {
                Reset(to);
            }
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
