using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>
/// A test's hub connection: the official .NET client (<see cref="Connection"/>), whose calls this passes through bound to
/// the test's cancellation and a timeout, so a call the server never answers fails the test instead of hanging the run.
/// </summary>
/// <remarks>Names follow the hand-written wire client the tests used before issue 11, so older tests port as they are.</remarks>
public sealed class HubClient : IAsyncDisposable
{
    /// <summary>The longest a call may wait for its completion.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HubClient(HubConnection connection)
    {
        Connection = connection;
        connection.Closed += error =>
        {
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    /// <summary>The official client's connection.</summary>
    public HubConnection Connection { get; }

    /// <summary>Completes when the connection closes, with the error it closed with (null for a clean close).</summary>
    public Task<Exception?> Closed => _closed.Task;

    public async Task<T> InvokeAsync<T>(string method, params object?[] args)
    {
        using var timeout = Timeout();
        return await Connection.InvokeCoreAsync<T>(method, args, timeout.Token);
    }

    public async Task InvokeAsync(string method, params object?[] args)
    {
        using var timeout = Timeout();
        await Connection.InvokeCoreAsync(method, args, timeout.Token);
    }

    /// <summary>Fire and forget (no completion).</summary>
    public Task SendAsync(string method, params object?[] args) =>
        Connection.SendCoreAsync(method, args, TestContext.Current.CancellationToken);

    public IAsyncEnumerable<T> StreamAsync<T>(string method, params object?[] args) => StreamCoreAsync<T>(method, args);

    public async IAsyncEnumerable<T> StreamCoreAsync<T>(
        string method, object?[] args, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, TestContext.Current.CancellationToken);
        try
        {
            await foreach (var item in Connection.StreamAsyncCore<T>(method, args, linked.Token))
            {
                yield return item;
            }
        }
        finally
        {
            // Leaving the loop early does not end the stream on the server; cancelling its token sends CancelInvocation.
            await linked.CancelAsync();
        }
    }

    public IDisposable On<T1>(string target, Action<T1> handler) => Connection.On(target, handler);

    public IDisposable On<T1, T2>(string target, Action<T1, T2> handler) => Connection.On(target, handler);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private static CancellationTokenSource Timeout()
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(CallTimeout);
        return timeout;
    }
}
