using System.Buffers;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.Hub.Hubs;
using Zaqar.Serialization;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>What a fuzz run saw.</summary>
public sealed record FuzzReport(int Cases, int Messages, int BindingFailures, int Refused, int Incomplete, TimeSpan Elapsed);

/// <summary>
/// Feeds the official MessagePack protocol, as the server runs it (Zaqar's formatters, its depth limit, the hub's own method
/// signatures), valid frames of real hub calls and mutations of them (bit flips, interesting bytes, truncation, length-prefix
/// lies, huge declared lengths, deep nesting, splices, random bytes), sometimes split across segments. The acceptable
/// outcomes are a message (possibly a binding failure), "incomplete", or a refusal SignalR turns into closing that one
/// connection (<see cref="InvalidDataException"/>, MessagePack's serialization, end-of-stream or format exceptions);
/// anything else, or a case slower than a second, throws with the case's bytes (issue 11).
/// Deterministic for a given seed. Public so the bench can drive longer runs: it needs only this folder's MsgPackBuilder.cs,
/// ProtocolTestKit.Frames.cs and BindingTestModels.cs besides the hub.
/// </summary>
public static class ProtocolFuzzer
{
    private static readonly byte[] Interesting =
        [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc4, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcf, 0xd3, 0xd4, 0xd6,
         0xd7, 0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];

    private static readonly byte[][] HugeHeaders =
    [
        [0xdd, 0xff, 0xff, 0xff, 0xff], [0xdf, 0xff, 0xff, 0xff, 0xff], [0xdb, 0x7f, 0xff, 0xff, 0xff],
        [0xc6, 0xff, 0xff, 0xff, 0xff], [0xc9, 0xff, 0xff, 0xff, 0xff, 0xff], [0xdc, 0xff, 0xff], [0xde, 0xff, 0xff],
    ];

    public static FuzzReport Run(int cases, int seed)
    {
        var random = new Random(seed);
        var protocol = ProtocolTestKit.Server;
        var binder = CreateBinder();
        var corpus = CreateCorpus(random);
        int messages = 0, bindingFailures = 0, refused = 0, incomplete = 0;
        var total = Stopwatch.StartNew();

        for (var i = 0; i < cases; i++)
        {
            var input = Mutate(random, corpus);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var sequence = random.Next(4) == 0 ? ProtocolTestKit.Segmented(input, random.Next(input.Length), random.Next(input.Length)) : new ReadOnlySequence<byte>(input);
                var parsedAny = false;
                for (var step = 0; step < 64 && !sequence.IsEmpty; step++)
                {
                    var before = sequence.Length;
                    if (protocol.TryParseMessage(ref sequence, binder, out var message))
                    {
                        parsedAny = true;
                        messages++;
                        bindingFailures += message is InvocationBindingFailureMessage or StreamBindingFailureMessage ? 1 : 0;
                    }
                    else if (sequence.Length == before)
                    {
                        break; // Waiting for more bytes (a frame of an unknown type is consumed without a message).
                    }
                }

                incomplete += parsedAny ? 0 : 1;
            }
            catch (Exception ex) when (IsRefusal(ex))
            {
                refused++;
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

        return new FuzzReport(cases, messages, bindingFailures, refused, incomplete, total.Elapsed);
    }

    /// <summary>What the official protocol throws for a frame it can't read: SignalR closes that one connection.</summary>
    private static bool IsRefusal(Exception ex) =>
        ex is InvalidDataException or global::MessagePack.MessagePackSerializationException or EndOfStreamException or FormatException;

    /// <summary>The hub's own methods and parameter types, as SignalR binds them.</summary>
    private static TestBinder CreateBinder()
    {
        var binder = new TestBinder();
        foreach (var method in typeof(QueuesHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            binder.Targets[method.Name] = [.. method.GetParameters().Select(p => p.ParameterType).Where(t => t != typeof(CancellationToken))];
        }
        binder.StreamItems["s"] = typeof(Envelope);
        binder.Returns["r"] = typeof(Node);
        return binder;
    }

    private static List<byte[]> CreateCorpus(Random random)
    {
        var client = ProtocolTestKit.Official(ZaqarMessagePack.ClientOptions);
        var body = JsonDocument.Parse("{\"a\":[1,2.5,\"x\",null,true],\"b\":{\"c\":{}},\"d\":18446744073709551615}").RootElement;
        HubMessage[] messages =
        [
            new InvocationMessage("1", "PostMessages", ["q", new[] { new MessageArgs(body, 60, 0), new MessageArgs(JsonDocument.Parse("\"s\"").RootElement) }]),
            new InvocationMessage("2", "PostMessages", ["q", new object[] { new Dictionary<string, object?> { ["Body"] = new object?[] { 1, "a", null }, ["ttl"] = 300 } }]),
            new InvocationMessage("3", "CreateClaim", ["q", new ClaimArgs(60, 30, 5)]),
            new InvocationMessage("4", "ListMessages", ["q", new ListMessagesArgs(Marker: "m", Limit: 5, Echo: true)]),
            new InvocationMessage("5", "CreateQueue", ["q", body]),
            new InvocationMessage("6", "DeleteMessages", ["q", new[] { "a", "b" }, null]),
            new InvocationMessage("7", "PopMessages", ["q", 5]),
            new InvocationMessage("8", "CreateSubscription", ["q", new SubscriptionArgs("http://x", 60, body)]),
            new InvocationMessage("9", "UpdateQueueMetadata", ["q", JsonDocument.Parse("[{\"op\":\"add\",\"path\":\"/metadata/k\",\"value\":1}]").RootElement]),
            new InvocationMessage("Unsubscribe", ["q"]),
            new StreamInvocationMessage("11", "Consume", ["q", new ConsumeArgs(60, 30, 2)], ["s"]) { Headers = new Dictionary<string, string> { ["h"] = "v" } },
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
        return [.. messages.Select(m => client.GetMessageBytes(m).ToArray())];
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
                    payload[random.Next(payload.Length)] = Interesting[random.Next(Interesting.Length)];
                }

                break;
            case 3:
                payload = payload[..random.Next(payload.Length)];
                break;
            case 4:
                return [.. LyingPrefix(random), .. payload];
            case 5:
                var at = random.Next(payload.Length);
                payload = [.. payload[..at], .. HugeHeaders[random.Next(HugeHeaders.Length)], .. payload[at..]];
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
