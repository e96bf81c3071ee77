using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Zaqar.Data;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Cluster;

/// <summary>A node committed the positions <see cref="FirstSeq"/>..<see cref="LastSeq"/> of <see cref="Queue"/>.</summary>
/// <param name="Trace">The post's trace context when it was traced (issue 15): the nodes that push it link their spans to it.</param>
public readonly record struct Announcement(QueueRef Queue, long FirstSeq, long LastSeq, ActivityContext Trace = default)
{
    /// <summary>
    /// The messages at every position of the range, in position order, when they came along (issue 14 item 4,
    /// <see cref="ClusterOptions.InlineMessages"/>); null when only the positions did.
    /// </summary>
    public IReadOnlyList<PostedMessage>? Messages { get; init; }
}

/// <summary>
/// The NOTIFY payload: the sending node and the queues and position ranges it committed, e.g.
/// <c>{"n":"3f1b0a2e8d4c4e7a","q":[["project",0,"queue",41,43]]}</c> (project, kind, name, first, last), and, for a post
/// that was traced, its W3C traceparent as a sixth element (issue 15; untraced posts keep the five, which every version reads).
/// </summary>
/// <remarks>
/// Positions first: a receiver can always read the rows itself, so a payload stays small whatever the bodies' size, and
/// one payload carries many posts. Payloads are cut at a byte budget well under PostgreSQL's 8000-byte limit. When a
/// round's positions fit one payload, the messages of its posts go along while the budget lasts (issue 14 item 4), as
/// a list <c>"m"</c> of <c>[entry, position, id, ttl, delay, created (ticks, UTC), encrypted (0/1), body]</c>, the body
/// as stored (JSON; an encrypted one a JSON string of its ciphertext). A receiver that does not know <c>"m"</c> reads
/// the positions as before; one that does pushes them without reading them back. Stateless; thread-safe.
/// </remarks>
public static class Announcements
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Per message, what its item adds beyond its body: index, position, id, ttl, delay, ticks, flag, brackets and commas.
    private const int ItemOverhead = 96;

    /// <summary>
    /// The payloads announcing <paramref name="announcements"/>, each at most <paramref name="maxBytes"/> long; with the
    /// messages that came along when the positions fit one payload and the messages the rest of it.
    /// </summary>
    public static List<string> Encode(string node, IReadOnlyList<Announcement> announcements, int maxBytes)
    {
        var payloads = Pack(node, "q", announcements.Select(EncodeEntry), maxBytes);
        if (payloads.Count == 1 && announcements.Any(a => a.Messages is not null))
        {
            payloads[0] = WithMessages(payloads[0], announcements, maxBytes);
        }
        return payloads;
    }

    /// <summary>Adds the messages of whole announcements, in order, while they fit; the positions alone for the rest.</summary>
    private static string WithMessages(string payload, IReadOnlyList<Announcement> announcements, int maxBytes)
    {
        const string Head = ",\"m\":[";
        var budget = maxBytes - Encoding.UTF8.GetByteCount(payload) - Head.Length - 1;
        var items = new List<byte[]?>();
        var used = 0;
        for (var i = 0; i < announcements.Count; i++)
        {
            if (announcements[i].Messages is not { } messages ||
                messages.Sum(m => (long)m.Body.Length + ItemOverhead) > budget - used)
            {
                // Bodies are counted in chars here (a UTF-8 byte or more each); the exact count follows.
                continue;
            }
            var encoded = messages.Select(m => EncodeMessage(i, m)).ToList();
            var bytes = encoded.Sum(e => (e?.Length ?? 0) + 1);
            if (encoded.All(e => e is not null) && bytes <= budget - used)
            {
                items.AddRange(encoded);
                used += bytes;
            }
        }
        if (items.Count == 0)
        {
            return payload;
        }
        var text = new StringBuilder(payload, 0, payload.Length - 1, maxBytes).Append(Head);
        for (var i = 0; i < items.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(Encoding.UTF8.GetString(items[i]!));
        }
        return text.Append("]}").ToString();
    }

    /// <summary>One message's item; null when its stored body is not JSON (its announcement then goes as positions only).</summary>
    private static byte[]? EncodeMessage(int entry, PostedMessage m)
    {
        try
        {
            return Entry(writer => WriteMessage(writer, entry, m));
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static void WriteMessage(Utf8JsonWriter writer, int entry, PostedMessage m)
    {
        writer.WriteNumberValue(entry);
        writer.WriteNumberValue(m.Seq);
        writer.WriteStringValue(m.Id);
        writer.WriteNumberValue(m.Ttl);
        writer.WriteNumberValue(m.Delay);
        writer.WriteNumberValue(m.CreatedAt.ToUniversalTime().Ticks);
        writer.WriteNumberValue(m.Encrypted ? 1 : 0);
        // Stored bodies are JSON already; checked all the same, so a bad one costs only its own announcement's messages.
        writer.WriteRawValue(m.Body);
    }

    /// <summary>
    /// Packs encoded JSON entries into payloads <c>{"n":node,"list":[entry,...]}</c> of at most <paramref name="maxBytes"/>
    /// each (one entry longer than that goes alone): the shape of everything nodes say on the channel.
    /// </summary>
    public static List<string> Pack(string node, string list, IEnumerable<byte[]> entries, int maxBytes)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"n\":{JsonSerializer.Serialize(node)},\"{list}\":[");
        var payloads = new List<string>();
        var current = new List<byte>(maxBytes);
        foreach (var entry in entries)
        {
            // A payload is head + entries joined by commas + "]}".
            if (current.Count > 0 && current.Count + 1 + entry.Length + 2 > maxBytes)
            {
                payloads.Add(Finish(current));
            }
            if (current.Count == 0)
            {
                current.AddRange(head);
            }
            else
            {
                current.Add((byte)',');
            }
            current.AddRange(entry);
        }
        if (current.Count > 0)
        {
            payloads.Add(Finish(current));
        }
        return payloads;
    }

    /// <summary>One entry: a JSON array written by <paramref name="write"/>.</summary>
    public static byte[] Entry(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartArray();
            write(writer);
            writer.WriteEndArray();
        }
        return stream.ToArray();
    }

    /// <summary>Reads a payload; false for anything else on the channel (another version, another program).</summary>
    public static bool TryDecode(string payload, out string node, out List<Announcement> announcements)
    {
        node = string.Empty;
        announcements = [];
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("n", out var n) || n.ValueKind != JsonValueKind.String ||
                !root.TryGetProperty("q", out var q) || q.ValueKind != JsonValueKind.Array)
            {
                return false;
            }
            node = n.GetString()!;
            foreach (var e in q.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() is not (5 or 6) ||
                    e[0].ValueKind != JsonValueKind.String || !e[1].TryGetInt16(out var kind) || e[2].ValueKind != JsonValueKind.String ||
                    !e[3].TryGetInt64(out var first) || !e[4].TryGetInt64(out var last) || !Enum.IsDefined((QueueKind)kind))
                {
                    return false;
                }
                // A trace context that does not parse is no reason to lose the announcement: it just links nothing.
                var trace = e.GetArrayLength() == 6 && e[5].ValueKind == JsonValueKind.String &&
                    ActivityContext.TryParse(e[5].GetString(), null, isRemote: true, out var parsed) ? parsed : default;
                announcements.Add(new Announcement(new QueueRef(e[0].GetString()!, e[2].GetString()!, (QueueKind)kind), first, last, trace));
            }
            if (root.TryGetProperty("m", out var m))
            {
                AttachMessages(m, announcements);
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Gives each announcement the messages of <paramref name="list"/> that name it, when they are exactly one per position
    /// of its range. Anything malformed leaves the positions alone: the receiver reads the rows, as without the list.
    /// </summary>
    private static void AttachMessages(JsonElement list, List<Announcement> announcements)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        var byEntry = new Dictionary<int, List<PostedMessage>>();
        foreach (var e in list.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 8 ||
                !e[0].TryGetInt32(out var entry) || entry < 0 || entry >= announcements.Count ||
                !e[1].TryGetInt64(out var seq) || e[2].ValueKind != JsonValueKind.String || !e[2].TryGetGuid(out var id) ||
                !e[3].TryGetInt32(out var ttl) || !e[4].TryGetInt32(out var delay) ||
                !e[5].TryGetInt64(out var ticks) || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks ||
                !e[6].TryGetInt32(out var encrypted) || encrypted is not (0 or 1))
            {
                return;
            }
            var created = new DateTime(ticks, DateTimeKind.Utc);
            (byEntry.TryGetValue(entry, out var messages) ? messages : byEntry[entry] = []).Add(
                new PostedMessage(id, seq, e[7].GetRawText(), ttl, delay, created, encrypted == 1));
        }
        foreach (var (entry, messages) in byEntry)
        {
            var a = announcements[entry];
            if (messages.Count == a.LastSeq - a.FirstSeq + 1 && messages.Select((m, i) => m.Seq == a.FirstSeq + i).All(x => x))
            {
                announcements[entry] = a with { Messages = messages };
            }
        }
    }

    private static byte[] EncodeEntry(Announcement a) => Entry(writer =>
    {
        writer.WriteStringValue(a.Queue.Project);
        writer.WriteNumberValue((short)a.Queue.Kind);
        writer.WriteStringValue(a.Queue.Name);
        writer.WriteNumberValue(a.FirstSeq);
        writer.WriteNumberValue(a.LastSeq);
        if (a.Trace != default)
        {
            writer.WriteStringValue($"00-{a.Trace.TraceId.ToHexString()}-{a.Trace.SpanId.ToHexString()}-{(int)a.Trace.TraceFlags:x2}");
        }
    });

    private static string Finish(List<byte> current)
    {
        current.Add((byte)']');
        current.Add((byte)'}');
        var text = Encoding.UTF8.GetString(current.ToArray());
        current.Clear();
        return text;
    }
}
