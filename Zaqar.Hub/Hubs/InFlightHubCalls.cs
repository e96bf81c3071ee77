using Microsoft.AspNetCore.SignalR;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Counts the hub invocations under way, so a stopping node answers them before SignalR closes its connections
/// (issue 15: graceful shutdown finishes what is in flight on the hub as Kestrel does for REST). A streaming method
/// counts only until its stream is handed back: a consume stream is ended by the shutdown, not waited for.
/// Singleton; thread-safe.
/// </summary>
internal sealed class InFlightHubCalls : IHubFilter
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        Interlocked.Increment(ref _count);
        try
        {
            return await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Blocks until no invocation is under way or <paramref name="limit"/> has passed; the number still under way.</summary>
    public int WaitIdle(TimeSpan limit)
    {
        var deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        while (Count > 0 && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(10);
        }
        return Count;
    }
}
