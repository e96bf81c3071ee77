using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>What tests of subscribers that stop reading need: a client socket that fills up soon, and the server's word that it gave up.</summary>
internal static class SlowReaders
{
    /// <summary>A WebSocket client's HTTP stack whose socket has a small receive buffer, so a stalled reader backs the server up sooner.</summary>
    public static HttpMessageInvoker SmallReceiveBuffer() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 16 * 1024 };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}

/// <summary>Completes a task when a log event of the given name is written (the server's own word that something happened).</summary>
internal sealed class LogEventSignal(string eventName, TaskCompletionSource signal) : ILoggerProvider, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name == eventName)
        {
            signal.TrySetResult();
        }
    }

    public void Dispose()
    {
    }
}
