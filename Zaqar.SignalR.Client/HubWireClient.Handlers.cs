using Microsoft.AspNetCore.SignalR.Protocol;

namespace Zaqar.SignalR.Client;

/// <summary>Handlers for server invocations, and the hooks of malformed-input and back-pressure tests.</summary>
public sealed partial class HubWireClient
{
    /// <summary>Handles server invocations of <paramref name="target"/> with one argument.</summary>
    /// <typeparam name="T1">The argument type.</typeparam>
    /// <param name="target">The client method the server calls.</param>
    /// <param name="handler">Runs on the receive loop, in order.</param>
    /// <returns>Disposing it removes the handler.</returns>
    public IDisposable On<T1>(string target, Func<T1, Task> handler) =>
        On(target, [typeof(T1)], args => handler((T1)args[0]!));

    /// <summary>Handles server invocations of <paramref name="target"/> with two arguments.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <param name="target">The client method the server calls (ours: <c>Messages(string queue, PushedMessageView[] messages)</c>).</param>
    /// <param name="handler">Runs on the receive loop, in order.</param>
    /// <returns>Disposing it removes the handler.</returns>
    public IDisposable On<T1, T2>(string target, Func<T1, T2, Task> handler) =>
        On(target, [typeof(T1), typeof(T2)], args => handler((T1)args[0]!, (T2)args[1]!));

    /// <summary>Handles server invocations of <paramref name="target"/> with two arguments, synchronously.</summary>
    /// <typeparam name="T1">The first argument's type.</typeparam>
    /// <typeparam name="T2">The second argument's type.</typeparam>
    /// <param name="target">The client method the server calls.</param>
    /// <param name="handler">Runs on the receive loop, in order.</param>
    /// <returns>Disposing it removes the handler.</returns>
    public IDisposable On<T1, T2>(string target, Action<T1, T2> handler) =>
        On(target, [typeof(T1), typeof(T2)], args =>
        {
            handler((T1)args[0]!, (T2)args[1]!);
            return Task.CompletedTask;
        });

    /// <summary>Handles server invocations of <paramref name="target"/>, binding arguments to <paramref name="parameterTypes"/>.</summary>
    /// <param name="target">The client method the server calls; one handler per target.</param>
    /// <param name="parameterTypes">The types the protocol binds the arguments to.</param>
    /// <param name="handler">Gets the bound arguments; runs on the receive loop, in order.</param>
    /// <returns>Disposing it removes the handler.</returns>
    public IDisposable On(string target, Type[] parameterTypes, Func<object?[], Task> handler)
    {
        var entry = new Handler(parameterTypes, handler);
        if (!_handlers.TryAdd(target, entry))
        {
            throw new InvalidOperationException($"A handler for '{target}' is registered already.");
        }
        return new Registration(() => _handlers.TryRemove(KeyValuePair.Create(target, entry)));
    }

    /// <summary>Encodes <paramref name="message"/> with this connection's protocol (framing included).</summary>
    /// <param name="message">Any hub message.</param>
    /// <returns>The bytes the client would send for it.</returns>
    public ReadOnlyMemory<byte> Encode(HubMessage message) => Protocol.GetMessageBytes(message);

    /// <summary>Sends <paramref name="data"/> as one WebSocket message of the protocol's frame type, unchecked.</summary>
    /// <param name="data">Anything, e.g. a malformed frame, or several encoded messages back to back.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>Completes when sent.</returns>
    public Task SendRawAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendRawAsync([data], cancellationToken);

    /// <summary>Sends <paramref name="fragments"/> as the WebSocket frames of ONE WebSocket message (split messages).</summary>
    /// <param name="fragments">The frames' payloads, in order; the last one ends the message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>Completes when sent.</returns>
    public async Task SendRawAsync(IReadOnlyList<ReadOnlyMemory<byte>> fragments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fragments);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            for (var i = 0; i < fragments.Count; i++)
            {
                await Socket.SendAsync(fragments[i], _frameType, endOfMessage: i == fragments.Count - 1, cancellationToken);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Stops reading the socket (after the read in progress, if any), so the server's writes back up as they would for a
    /// stalled reader. Pings go unanswered meanwhile.
    /// </summary>
    public void PauseReading() =>
        Interlocked.CompareExchange(ref _readGate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    /// <summary>Resumes reading after <see cref="PauseReading"/>.</summary>
    public void ResumeReading() => Interlocked.Exchange(ref _readGate, null)?.TrySetResult();

    private sealed class Registration(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
