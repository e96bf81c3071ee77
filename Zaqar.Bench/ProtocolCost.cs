using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;

namespace Zaqar.Bench;

/// <summary>
/// What the hub's MessagePack protocol costs the server per message, apart from everything else (issue 11): the protocol the
/// service registered parses and binds a PostMessages frame of 10 bodies, writes the post's completion, and writes the push
/// of those 10 messages, on one thread, for a bounded time. The thread's own CPU time (not wall-clock time, which other
/// processes on a shared machine stretch) and allocation per message; only IHubProtocol and the hub's own types are used,
/// so this file measures the protocol of any tree it is built in (the tag before the switch too).
/// </summary>
internal static partial class ProtocolCost
{
    private const int Batch = 10;

    /// <summary>A 256-byte body with structure (objects, arrays, numbers, strings), beside the bench's one-string body.</summary>
    private const string StructuredBody =
        """{"order":{"id":123456,"lines":[{"sku":"A-1","qty":2,"price":9.5},{"sku":"B-22","qty":1,"price":120.25}],"paid":true},"customer":{"name":"Ada","tags":["vip","eu"],"score":0.875},"note":null,"at":"2026-12-04T21:00:00Z","n":[1,2,3,4,5,6]}""";

    public static IEnumerable<string> Run(IServiceProvider services, TimeSpan duration)
    {
        var protocol = services.GetServices<IHubProtocol>().Single(p => p.Name == "messagepack");
        foreach (var (name, json) in new[] { ("256 B string body", Payloads.Body), ("structured body", StructuredBody) })
        {
            yield return Measure(protocol, name, JsonDocument.Parse(json).RootElement.Clone(), duration);
        }
    }

    private static string Measure(IHubProtocol protocol, string name, JsonElement body, TimeSpan duration)
    {
        var frame = protocol.GetMessageBytes(new InvocationMessage("1", "PostMessages", ["q", Enumerable.Repeat(new MessageArgs(body, 3600), Batch).ToArray()]));
        var ids = Enumerable.Range(0, Batch).Select(_ => Guid.NewGuid().ToString("D")).ToArray();
        var posted = new PostedView(ids, [.. ids.Select(id => "/v2/queues/q/messages/" + id)]);
        var binder = new PostBinder();
        var output = new ArrayBufferWriter<byte>(64 * 1024);

        // Warm-up (JIT tiers), then the measured loop.
        var parse = TimeSpan.Zero;
        var write = TimeSpan.Zero;
        Loop(TimeSpan.FromSeconds(1), ref parse, ref write);
        parse = write = TimeSpan.Zero;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var posts = Loop(duration, ref parse, ref write);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var messages = (double)posts * Batch;
        return $"protocol cost, MessagePack, {name,-17}: parse+bind {parse.TotalNanoseconds / messages,6:N0} ns/msg, " +
            $"completion+push {write.TotalNanoseconds / messages,6:N0} ns/msg, {allocated / messages,6:N0} B/msg allocated ({posts:N0} posts of {Batch})";

        long Loop(TimeSpan length, ref TimeSpan parseTime, ref TimeSpan writeTime)
        {
            var stop = Stopwatch.StartNew();
            long count = 0;
            while (stop.Elapsed < length)
            {
                var started = ThreadCpu();
                var input = new ReadOnlySequence<byte>(frame);
                if (!protocol.TryParseMessage(ref input, binder, out var message) || message is not InvocationMessage { Arguments: [_, MessageArgs[] batch] })
                {
                    throw new InvalidOperationException("the post frame did not parse into a post");
                }
                var parsed = ThreadCpu();
                output.ResetWrittenCount();
                protocol.WriteMessage(CompletionMessage.WithResult("1", posted), output);
                var pushed = batch.Select((m, i) => new PushedMessageView(ids[i], m.Body, m.Ttl ?? 3600, 0)).ToArray();
                protocol.WriteMessage(new InvocationMessage("Messages", ["q", pushed]), output);
                parseTime += parsed - started;
                writeTime += ThreadCpu() - parsed;
                count++;
            }
            return count;
        }
    }

    /// <summary>The calling thread's CPU time (Linux: clock_gettime of CLOCK_THREAD_CPUTIME_ID).</summary>
    private static TimeSpan ThreadCpu() =>
        ClockGetTime(3, out var now) == 0 ? TimeSpan.FromTicks(now.Seconds * TimeSpan.TicksPerSecond + now.Nanoseconds / 100)
            : throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private sealed class PostBinder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(string), typeof(MessageArgs[])];

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
