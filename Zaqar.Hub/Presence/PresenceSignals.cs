using System.Text.Json;
using Zaqar.Hub.Cluster;
using Zaqar.Data;
using Zaqar.Data.Presence;

namespace Zaqar.Hub.Presence;

/// <summary>
/// The NOTIFY payload of presence changes (issue 13), on the cluster's channel beside post announcements:
/// <c>{"n":"3f1b0a2e8d4c4e7a","p":[["project",0,"queue",1,"client"]]}</c> (the sending node, then project, kind, name,
/// 1 for a join or 0 for a leave, Client-ID). Cut at a byte budget well under PostgreSQL's 8000-byte limit.
/// </summary>
/// <remarks>Stateless; thread-safe.</remarks>
public static class PresenceSignals
{
    /// <summary>The payloads carrying <paramref name="changes"/>, each at most <paramref name="maxBytes"/> long.</summary>
    public static List<string> Encode(string node, IEnumerable<PresenceChange> changes, int maxBytes) =>
        Announcements.Pack(node, "p", changes.Select(c => Announcements.Entry(writer =>
        {
            writer.WriteStringValue(c.Member.Queue.Project);
            writer.WriteNumberValue((short)c.Member.Queue.Kind);
            writer.WriteStringValue(c.Member.Queue.Name);
            writer.WriteNumberValue(c.Joined ? 1 : 0);
            writer.WriteStringValue(c.Member.ClientId);
        })), maxBytes);

    /// <summary>Reads a payload; false for anything else on the channel.</summary>
    public static bool TryDecode(string payload, out string node, out List<PresenceChange> changes)
    {
        node = string.Empty;
        changes = [];
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("n", out var n) || n.ValueKind != JsonValueKind.String ||
                !root.TryGetProperty("p", out var p) || p.ValueKind != JsonValueKind.Array)
            {
                return false;
            }
            node = n.GetString()!;
            foreach (var e in p.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 5 ||
                    e[0].ValueKind != JsonValueKind.String || !e[1].TryGetInt16(out var kind) || !Enum.IsDefined((QueueKind)kind) ||
                    e[2].ValueKind != JsonValueKind.String || !e[3].TryGetInt32(out var joined) || joined is not (0 or 1) ||
                    e[4].ValueKind != JsonValueKind.String)
                {
                    return false;
                }
                var member = new PresenceMember(new QueueRef(e[0].GetString()!, e[2].GetString()!, (QueueKind)kind), string.Empty, e[4].GetString()!);
                changes.Add(new PresenceChange(member, node, joined == 1));
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
