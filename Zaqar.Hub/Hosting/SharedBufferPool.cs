namespace Zaqar.Hub.Hosting;

/// <summary>
/// Sizes .NET's shared array pool for pushes to many connections at once (issue 14), before anything rents from it.
/// </summary>
/// <remarks>
/// <para>
/// SignalR's connection pipes (between the hub and the WebSocket, SSE or long-polling transport) take their 4 KB segments
/// from <c>ArrayPool&lt;byte&gt;.Shared</c>, which the service cannot swap for a pool of its own. A connection holds a
/// segment from the moment its push is written until its transport has sent it, and a push to a queue's subscribers writes
/// to every one of their connections before the first transport runs. The pool keeps at most 32 arrays of a size per core
/// by default, so pushing one message to 1,000 subscribers on 2 cores rented about 1,000 segments, found 65 in the pool,
/// allocated the rest and dropped them when they came back: an allocation profile of the bench's fan-out (100 messages a
/// second) put 250 MiB/s of new 4 KB arrays on the push path, more than all the rest of the service allocated.
/// </para>
/// <para>
/// The runtime reads the limit once, from the environment, when the pool is first used (within the host's start, well
/// before configuration could be read), so it is set first thing in <c>Main</c>, and only when the operator has not set
/// it. The pool gives arrays back to the GC when they go unused (it trims on every full collection, everything under
/// memory pressure), so a larger limit costs memory only while pushes need it.
/// </para>
/// </remarks>
public static class SharedBufferPool
{
    /// <summary>The runtime's environment variable for the number of arrays of one size kept per core.</summary>
    public const string ArraysPerCoreVariable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>
    /// Arrays of one size kept per core: one push segment each for 1,024 connections per core (2,048 subscribers' worth
    /// on 2 cores), 4 MiB of 4 KB segments per core when all are back in the pool.
    /// </summary>
    public const int ArraysPerCore = 1024;

    /// <summary>
    /// Sets the pool's limit for this process unless the environment already names one; true when it set it. Call before
    /// anything uses <c>ArrayPool&lt;T&gt;.Shared</c>: the runtime ignores the variable after that.
    /// </summary>
    public static bool Configure()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ArraysPerCoreVariable)))
        {
            return false;
        }
        Environment.SetEnvironmentVariable(ArraysPerCoreVariable, ArraysPerCore.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetByThisProcess = true;
        return true;
    }

    /// <summary>
    /// Whether <see cref="Configure"/> set the variable here (not the operator): processes started from this one inherit
    /// it unless their starter removes it.
    /// </summary>
    public static bool SetByThisProcess { get; private set; }
}
