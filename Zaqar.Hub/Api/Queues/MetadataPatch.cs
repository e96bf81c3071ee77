using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Zaqar.Data;

namespace Zaqar.Hub.Api;

/// <summary>One validated change of a queue-metadata PATCH: op and the metadata key it targets.</summary>
public sealed record MetadataChange(string Op, string Key, JsonNode? Value);

/// <summary>
/// Zaqar's JSON-patch dialect for queue metadata (content type application/openstack-messaging-v2.0-json-patch):
/// ops add, remove and replace on paths of the form /metadata/&lt;key&gt;.
/// </summary>
public static partial class MetadataPatch
{
    public const string ContentType = "application/openstack-messaging-v2.0-json-patch";

    private static readonly string[] Ops = ["add", "remove", "replace"];

    /// <summary>Validates the document and returns its changes, in order (400 "Invalid request body" on the first bad one).</summary>
    /// <remarks>
    /// Every string of the document (paths included) must be acceptable text, and each value an acceptable JSON value one
    /// level shallower than a metadata document, since it lands inside one (issue 10).
    /// </remarks>
    public static IReadOnlyList<MetadataChange> Parse(JsonElement document)
    {
        // The array, an operation, then the value.
        AcceptableJson.Check(document, AcceptableJson.MaxDepth + 1);
        if (document.ValueKind != JsonValueKind.Array)
        {
            throw ApiErrors.BadBody("Request body must be a JSON array of operation objects.");
        }
        var changes = new List<MetadataChange>();
        foreach (var raw in document.EnumerateArray())
        {
            if (raw.ValueKind != JsonValueKind.Object)
            {
                throw ApiErrors.BadBody("Operations must be JSON objects.");
            }
            if (!raw.TryGetProperty("op", out var opElement) || opElement.ValueKind == JsonValueKind.Null)
            {
                throw ApiErrors.BadBody($"Unable to find `op` in JSON Schema change. It must be one of the following: {string.Join(", ", Ops)}.");
            }
            var op = opElement.ValueKind == JsonValueKind.String ? opElement.GetString()! : opElement.GetRawText();
            if (!Ops.Contains(op))
            {
                throw ApiErrors.BadBody($"Invalid operation: `{op}`. It must be one of the following: {string.Join(", ", Ops)}.");
            }
            if (!raw.TryGetProperty("path", out var pathElement))
            {
                throw ApiErrors.BadBody("Unable to find 'path' in JSON Schema change");
            }
            if (pathElement.ValueKind != JsonValueKind.String)
            {
                throw ApiErrors.BadBody($"Pointer `{pathElement.GetRawText()}` does not start with \"/\".");
            }
            var path = DecodePointer(pathElement.GetString()!);
            if (path.Count != 2)
            {
                throw ApiErrors.BadBody($"Invalid JSON pointer for this resource: '/{string.Join("/", path)}, e.g /metadata/key'");
            }
            JsonNode? value = null;
            if (op != "remove")
            {
                if (!raw.TryGetProperty("value", out var valueElement))
                {
                    throw ApiErrors.BadBody($"Operation \"{op}\" requires a member named \"value\".");
                }
                if (!path[0].Equals("metadata", StringComparison.OrdinalIgnoreCase))
                {
                    throw ApiErrors.BadBody("The root of path must be metadata, e.g /metadata/key.");
                }
                value = AcceptableJson.DocumentNode(valueElement, AcceptableJson.MaxDepth - 1);
            }
            changes.Add(new MetadataChange(op, path[1], value));
        }
        return changes;
    }

    /// <summary>
    /// Applies the changes to <paramref name="metadata"/>; 409 for replace/remove of a key that does not exist (the
    /// reserved keys of the <paramref name="kind"/> always exist).
    /// </summary>
    public static void Apply(JsonObject metadata, IReadOnlyList<MetadataChange> changes, ZaqarOptions options, QueueKind kind = QueueKind.Queue)
    {
        foreach (var change in changes)
        {
            var exists = metadata.ContainsKey(change.Key) || QueueMetadata.IsReserved(change.Key, options, kind);
            switch (change.Op)
            {
                case "add":
                    metadata[change.Key] = change.Value?.DeepClone();
                    break;
                case "replace" when exists:
                    metadata[change.Key] = change.Value?.DeepClone();
                    break;
                case "replace":
                    throw ApiErrors.Conflict($"Can't replace non-existent object {change.Key}.");
                case "remove" when exists:
                    metadata.Remove(change.Key);
                    break;
                default:
                    throw ApiErrors.Conflict($"Can't remove non-existent object {change.Key}.");
            }
        }
    }

    private static List<string> DecodePointer(string pointer)
    {
        if (!pointer.StartsWith('/'))
        {
            throw ApiErrors.BadBody($"Pointer `{pointer}` does not start with \"/\".");
        }
        if (AdjacentSlashes().IsMatch(pointer[1..]))
        {
            throw ApiErrors.BadBody($"Pointer `{pointer}` contains adjacent \"/\".");
        }
        if (pointer.Length > 1 && pointer.EndsWith('/'))
        {
            throw ApiErrors.BadBody($"Pointer `{pointer}` end with \"/\".");
        }
        if (pointer[1..].Trim() == "/")
        {
            throw ApiErrors.BadBody($"Pointer `{pointer}` does not contains valid token.");
        }
        if (BadEscape().IsMatch(pointer) || pointer.EndsWith('~'))
        {
            throw ApiErrors.BadBody($"Pointer `{pointer}` contains \"~\" not part of a recognized escape sequence.");
        }
        return pointer.TrimStart('/').Split('/').Select(p => p.Replace("~1", "/").Replace("~0", "~").Trim()).ToList();
    }

    [GeneratedRegex(@"/\s*?/")]
    private static partial Regex AdjacentSlashes();

    [GeneratedRegex("~[^01]")]
    private static partial Regex BadEscape();
}
