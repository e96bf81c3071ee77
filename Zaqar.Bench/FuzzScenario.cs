using System.Diagnostics;
using Zaqar.Hub.Tests.Protocols.MessagePack;

namespace Zaqar.Bench;

/// <summary>
/// The long fuzz run of issue #3: the suite's <see cref="ProtocolFuzzer"/> (linked from the test project) over many
/// more cases, with a fresh seed each run so runs explore new inputs (the seed is printed to replay a failure).
/// A case that throws anything but a refusal SignalR turns into closing the connection, or takes over a second, fails the
/// run with its bytes.
/// </summary>
internal static class FuzzScenario
{
    public static string Run(int cases)
    {
        var seed = Environment.TickCount;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var report = ProtocolFuzzer.Run(cases, seed);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        GC.Collect();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return $"fuzz (seed {seed}): {report.Cases:N0} frames in {report.Elapsed.TotalSeconds:N1} s = {report.Cases / report.Elapsed.TotalSeconds:N0} frames/s; " +
            $"{report.Messages:N0} messages ({report.BindingFailures:N0} binding failures), {report.Refused:N0} refused, {report.Incomplete:N0} incomplete; " +
            $"no crash, no case over 1 s; {allocated / (double)report.Cases:N0} B allocated per frame, managed heap after {heap / 1048576.0:N0} MiB, " +
            $"peak working set {process.PeakWorkingSet64 / 1048576.0:N0} MiB";
    }
}
