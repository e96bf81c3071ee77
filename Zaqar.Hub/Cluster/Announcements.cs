using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Zaqar.Data;

namespace Zaqar.Hub.Cluster;

/// <summary>A node committed the positions <see cref="FirstSeq"/>..<see cref="LastSeq"/> of <see cref="Queue"/>.</summary>
/// <param name="Trace">The post's trace context when it was traced (issue 15): the nodes that push it link their spans to it.</param>
public readonly record struct Announcement(QueueRef Queue, long FirstSeq, long LastSeq, ActivityContext Trace = default);

/// <summary>
/// The NOTIFY payload: the sending node and the queues and position ranges it committed, e.g.
/// <c>{"n":"3f1b0a2e8d4c4e7a","q":[["project",0,"queue",41,43]]}</c> (project, kind, name, first, last), and, for a post
/// that was traced, its W3C traceparent as a sixth element (issue 15; untraced posts keep the five, which every version reads).
/// </summary>
/// <remarks>
/// Positions, not messages: a receiver reads the rows itself, so a payload stays small whatever the bodies' size,
/// and one payload carries many posts. Payloads are cut at a byte budget well under PostgreSQL's 8000-byte limit.
/// Stateless; thread-safe.
/// </remarks>
public static class Announcements
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The payloads announcing <paramref name="announcements"/>, each at most <paramref name="maxBytes"/> long.</summary>
    public static List<string> Encode(string node, IEnumerable<Announcement> announcements, int maxBytes) =>
        Pack(node, "q", announcements.Select(EncodeEntry), maxBytes);

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
            return true;
        }
        catch (JsonException)
        {
            return false;
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
