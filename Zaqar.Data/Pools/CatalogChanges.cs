using System.Text.Encodings.Web;
using System.Text.Json;

namespace Zaqar.Data.Pools;

/// <summary>
/// The NOTIFY payloads of catalog changes on the primary database, so every node drops what it cached at once:
/// <c>{"pools":true}</c> (pools or flavors changed: read them again) or <c>{"queue":["project",0,"name"]}</c> (that
/// queue's catalogue entry changed: forget its route).
/// </summary>
/// <remarks>Stateless; thread-safe.</remarks>
public static class CatalogChanges
{
    public const string Pools = """{"pools":true}""";

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Queue(QueueRef queue) =>
        JsonSerializer.Serialize(new { queue = new object[] { queue.Project, (short)queue.Kind, queue.Name } }, Json);

    /// <summary>Reads a payload: the queue it names, or null for a pool change. False for anything else on the channel.</summary>
    public static bool TryDecode(string payload, out QueueRef? queue)
    {
        queue = null;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }
            if (root.TryGetProperty("pools", out _))
            {
                return true;
            }
            if (root.TryGetProperty("queue", out var q) && q.ValueKind == JsonValueKind.Array && q.GetArrayLength() == 3 &&
                q[0].ValueKind == JsonValueKind.String && q[1].TryGetInt16(out var kind) && Enum.IsDefined((QueueKind)kind) &&
                q[2].ValueKind == JsonValueKind.String)
            {
                queue = new QueueRef(q[0].GetString()!, q[2].GetString()!, (QueueKind)kind);
                return true;
            }
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
