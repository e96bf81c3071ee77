using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.SignalR.Protocols.MessagePack;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>What a fuzz run saw.</summary>
public sealed record FuzzReport(int Cases, int Messages, int BindingFailures, int InvalidData, int Incomplete, TimeSpan Elapsed);

/// <summary>
/// Feeds <see cref="MessagePackHubProtocol.TryParseMessage"/> valid frames and mutations of them (bit flips, interesting
/// bytes, truncation, length-prefix lies, huge declared lengths, deep nesting, splices, random bytes), sometimes split
/// across segments. The only acceptable outcomes are a message (possibly a binding failure), "incomplete", or
/// <see cref="InvalidDataException"/>; anything else, or a case slower than a second, throws with the case's bytes.
/// Deterministic for a given seed. Public so a benchmark can drive longer runs: it needs only this folder's
/// MsgPackBuilder.cs, ProtocolTestKit.cs and BindingTestModels.cs besides the protocol project.
/// </summary>
public static class ProtocolFuzzer
{
    private static readonly byte[] _interesting =
        [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc4, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcf, 0xd3, 0xd4, 0xd6,
         0xd7, 0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];

    private static readonly byte[][] _hugeHeaders =
    [
        [0xdd, 0xff, 0xff, 0xff, 0xff], [0xdf, 0xff, 0xff, 0xff, 0xff], [0xdb, 0x7f, 0xff, 0xff, 0xff],
        [0xc6, 0xff, 0xff, 0xff, 0xff], [0xc9, 0xff, 0xff, 0xff, 0xff, 0xff], [0xdc, 0xff, 0xff], [0xde, 0xff, 0xff],
    ];

    public static FuzzReport Run(int cases, int seed)
    {
        var random = new Random(seed);
        var protocol = new MessagePackHubProtocol();
        var binder = CreateBinder();
        var corpus = CreateCorpus(protocol, random);
        int messages = 0, bindingFailures = 0, invalid = 0, incomplete = 0;
        var total = Stopwatch.StartNew();

        for (var i = 0; i < cases; i++)
        {
            var input = Mutate(random, corpus);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var sequence = random.Next(4) == 0 ? ProtocolTestKit.Segmented(input, random.Next(input.Length), random.Next(input.Length)) : new ReadOnlySequence<byte>(input);
                var parsedAny = false;
                for (var step = 0; step < 64 && protocol.TryParseMessage(ref sequence, binder, out var message); step++)
                {
                    parsedAny = true;
                    messages++;
                    bindingFailures += message is InvocationBindingFailureMessage or StreamBindingFailureMessage ? 1 : 0;
                }

                incomplete += parsedAny ? 0 : 1;
            }
            catch (InvalidDataException)
            {
                invalid++;
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"Fuzz case {i} (seed {seed}) threw {ex.GetType().Name}: {ex.Message}\n{ProtocolTestKit.ToHex(input)}", ex);
            }

            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(1))
            {
                throw new InvalidOperationException($"Fuzz case {i} (seed {seed}) took over a second:\n{ProtocolTestKit.ToHex(input)}");
            }
        }

        return new FuzzReport(cases, messages, bindingFailures, invalid, incomplete, total.Elapsed);
    }

    private static TestBinder CreateBinder()
    {
        var binder = new TestBinder();
        binder.Targets["Ints"] = [typeof(int), typeof(long), typeof(short), typeof(byte)];
        binder.Targets["Text"] = [typeof(string), typeof(char), typeof(Guid)];
        binder.Targets["Floats"] = [typeof(double), typeof(float), typeof(decimal)];
        binder.Targets["Object"] = [typeof(object)];
        binder.Targets["Json"] = [typeof(JsonElement)];
        binder.Targets["Claim"] = [typeof(ClaimRequest)];
        binder.Targets["Lease"] = [typeof(Lease), typeof(int?)];
        binder.Targets["Order"] = [typeof(Order)];
        binder.Targets["Collections"] = [typeof(List<int>), typeof(Dictionary<string, string>), typeof(byte[])];
        binder.Targets["Times"] = [typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan)];
        binder.Targets["Enums"] = [typeof(Priority), typeof(WithEnums)];
        binder.StreamItems["s"] = typeof(Envelope);
        binder.Returns["r"] = typeof(Node);
        return binder;
    }

    private static List<byte[]> CreateCorpus(MessagePackHubProtocol protocol, Random random)
    {
        var body = JsonDocument.Parse("{\"a\":[1,2.5,\"x\",null,true],\"b\":{\"c\":{}}}").RootElement;
        HubMessage[] messages =
        [
            new InvocationMessage("1", "Ints", [5, 1L << 40, (short)-3, (byte)200]),
            new InvocationMessage("Text", ["héllo", 'c', Guid.NewGuid()]),
            new InvocationMessage("2", "Floats", [1.5, 2.5f, 3.25m]),
            new InvocationMessage("3", "Object", [new Dictionary<string, object?> { ["k"] = new object?[] { 1, "a", null } }]),
            new InvocationMessage("4", "Json", [body]),
            new InvocationMessage("5", "Claim", [new ClaimRequest { ClaimId = 9, QueueName = "q", Tags = ["t"] }]),
            new InvocationMessage("6", "Lease", [new Lease("q", 2, "n"), null]),
            new InvocationMessage("7", "Order", [new Order { Id = "o", Total = 2, Lease = new Lease("q", 1) }]),
            new InvocationMessage("8", "Collections", [new List<int> { 1, 2 }, new Dictionary<string, string> { ["a"] = "b" }, new byte[] { 1, 2 }]),
            new InvocationMessage("9", "Times", [DateTime.UtcNow, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(3)]),
            new InvocationMessage("10", "Enums", [Priority.High, new WithEnums { Named = Priority.High }]),
            new StreamInvocationMessage("11", "Ints", [1, 2L, (short)3, (byte)4], ["s"]) { Headers = new Dictionary<string, string> { ["h"] = "v" } },
            new StreamItemMessage("s", new Envelope { Kind = "k", Body = body }),
            CompletionMessage.WithResult("r", new Node { Value = 1, Next = new Node { Value = 2 } }),
            CompletionMessage.WithError("r", "boom"),
            CompletionMessage.Empty("r"),
            new CancelInvocationMessage("11"),
            PingMessage.Instance,
            new CloseMessage("bye", allowReconnect: true),
            new AckMessage(random.NextInt64()),
            new SequenceMessage(3),
        ];
        return [.. messages.Select(m => protocol.GetMessageBytes(m).ToArray())];
    }

    private static byte[] Mutate(Random random, List<byte[]> corpus)
    {
        var frame = corpus[random.Next(corpus.Count)];
        var payload = frame.AsSpan(PrefixSize(frame)).ToArray();
        var reframe = random.Next(5) != 0;
        switch (random.Next(11))
        {
            case 0:
                break;
            case 1:
                for (var n = random.Next(1, 9); n > 0; n--)
                {
                    payload[random.Next(payload.Length)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 2:
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    payload[random.Next(payload.Length)] = _interesting[random.Next(_interesting.Length)];
                }

                break;
            case 3:
                payload = payload[..random.Next(payload.Length)];
                break;
            case 4:
                return [.. LyingPrefix(random), .. payload];
            case 5:
                var at = random.Next(payload.Length);
                payload = [.. payload[..at], .. _hugeHeaders[random.Next(_hugeHeaders.Length)], .. payload[at..]];
                break;
            case 6:
                var depth = random.Next(50, 3000);
                payload = [.. payload[..Math.Min(payload.Length, 7)], .. Enumerable.Repeat(random.Next(2) == 0 ? (byte)0x91 : (byte)0x81, depth), 0xc0];
                break;
            case 7:
                var other = corpus[random.Next(corpus.Count)];
                var from = random.Next(other.Length);
                var into = random.Next(payload.Length);
                payload = [.. payload[..into], .. other[from..Math.Min(other.Length, from + random.Next(1, 32))], .. payload[into..]];
                break;
            case 8:
                payload = new byte[random.Next(0, 64)];
                random.NextBytes(payload);
                break;
            case 9:
                var start = random.Next(payload.Length);
                var length = random.Next(Math.Min(16, payload.Length - start) + 1);
                payload = random.Next(2) == 0
                    ? [.. payload[..start], .. payload[(start + length)..]]
                    : [.. payload[..(start + length)], .. payload[start..]];
                break;
            default:
                // Several frames back to back, the last one cut short.
                var second = corpus[random.Next(corpus.Count)];
                return [.. frame, .. second[..random.Next(1, second.Length + 1)]];
        }

        return reframe ? MsgPackBuilder.Frame(payload) : [.. frame.AsSpan(0, PrefixSize(frame)), .. payload];
    }

    private static byte[] LyingPrefix(Random random) => random.Next(4) switch
    {
        0 => [0xff, 0xff, 0xff, 0xff, 0x07], // 2^31-1
        1 => [0xff, 0xff, 0xff, 0xff, 0x0f], // over the 5-byte maximum
        2 => [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        _ => MsgPackBuilder.Prefix(random.Next(0, 1 << 21)),
    };

    private static int PrefixSize(byte[] frame)
    {
        var size = 0;
        while ((frame[size++] & 0x80) != 0)
        {
        }

        return size;
    }
}
