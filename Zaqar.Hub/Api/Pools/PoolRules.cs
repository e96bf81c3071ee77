using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Zaqar.Hub.Api;

/// <summary>A pool document (PUT: uri and weight present; PATCH: any of the four). <see cref="HasFlavor"/>: the key was given.</summary>
public sealed record PoolDraft(string? Uri, long? Weight, bool HasFlavor, string? Flavor, string? Options);

/// <summary>
/// The documents of the pool and flavor routes (zaqar-v2-api.md section 9), checked as Zaqar's JSON schemas check them:
/// no keys beyond the schema's, uri a string of at most 255 characters, weight an integer from 0 to 2^32-1, options and
/// capabilities objects, pool_list an array. Failures are 400 "Invalid request body", with jsonschema's wording.
/// </summary>
public static partial class PoolRules
{
    public const int MaxUriLength = 255;
    public const long MaxWeight = uint.MaxValue;
    public const int MaxNameLength = 64;

    private static readonly string[] PoolKeys = ["uri", "weight", "flavor", "options"];
    private static readonly string[] FlavorKeys = ["pool_list", "capabilities"];

    /// <summary>Pool and flavor names are stored in 64 characters and appear in paths: the queue-name alphabet.</summary>
    public static void ValidateName(string name, string what)
    {
        if (name.Length > MaxNameLength || !NamePattern().IsMatch(name))
        {
            throw ApiErrors.BadRequest($"The format of the submitted {what} name is not valid.");
        }
    }

    /// <summary>A PUT (<paramref name="patch"/> false: uri and weight required) or PATCH document of a pool.</summary>
    public static PoolDraft ReadPool(JsonElement? document, bool patch)
    {
        var doc = Object(document);
        CheckKeys(doc, PoolKeys);
        if (patch && !PoolKeys.Any(k => doc.TryGetProperty(k, out _)))
        {
            throw ApiErrors.BadBody("One of `uri`, `weight`, `flavor`, or `options` needs to be specified");
        }
        string? uri = null;
        if (doc.TryGetProperty("uri", out var u))
        {
            if (u.ValueKind != JsonValueKind.String || u.GetString()!.Length > MaxUriLength)
            {
                throw ApiErrors.BadBody($"{u.GetRawText()} is not a string of at most {MaxUriLength} characters ('uri')");
            }
            uri = u.GetString();
        }
        else if (!patch)
        {
            throw ApiErrors.BadBody("'uri' is a required property");
        }
        long? weight = null;
        if (doc.TryGetProperty("weight", out var w))
        {
            if (!JsonInput.IsInteger(w, out var value) || value < 0 || value > MaxWeight)
            {
                throw ApiErrors.BadBody($"{w.GetRawText()} is not an integer from 0 to {MaxWeight} ('weight')");
            }
            weight = value;
        }
        else if (!patch)
        {
            throw ApiErrors.BadBody("'weight' is a required property");
        }
        var hasFlavor = doc.TryGetProperty("flavor", out var f);
        if (hasFlavor && f.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            throw ApiErrors.BadBody($"{f.GetRawText()} is not of type 'string' ('flavor')");
        }
        string? options = null;
        if (doc.TryGetProperty("options", out var o))
        {
            if (o.ValueKind != JsonValueKind.Object)
            {
                throw ApiErrors.BadBody($"{o.GetRawText()} is not of type 'object' ('options')");
            }
            options = AcceptableJson.DocumentText(o);
        }
        // An empty flavor is no flavor (Zaqar stores "" and then matches no flavor).
        var flavor = hasFlavor && f.ValueKind == JsonValueKind.String && f.GetString() is { Length: > 0 } name ? name : null;
        return new PoolDraft(uri, weight, hasFlavor, flavor, options);
    }

    /// <summary>True when <paramref name="uri"/> is something Npgsql can connect with (else registering answers "cannot connect").</summary>
    public static bool IsConnectionString(string uri)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(uri);
            return uri.Length > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// A flavor's pool list from a PUT or PATCH document (null when absent: PATCH then fails, PUT too since the list is
    /// required); <c>capabilities</c>, if present, must be an object.
    /// </summary>
    public static IReadOnlyList<string>? ReadFlavor(JsonElement? document)
    {
        var doc = Object(document);
        CheckKeys(doc, FlavorKeys);
        if (doc.TryGetProperty("capabilities", out var c) && c.ValueKind != JsonValueKind.Object)
        {
            throw ApiErrors.BadBody($"{c.GetRawText()} is not of type 'object' ('capabilities')");
        }
        if (!doc.TryGetProperty("pool_list", out var list))
        {
            return null;
        }
        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String))
        {
            throw ApiErrors.BadBody($"{list.GetRawText()} is not an array of pool names ('pool_list')");
        }
        return list.EnumerateArray().Select(p => p.GetString()!).Distinct(StringComparer.Ordinal).ToList();
    }

    private static JsonElement Object(JsonElement? document)
    {
        if (document is not { } doc)
        {
            throw ApiErrors.MalformedJson;
        }
        if (doc.ValueKind != JsonValueKind.Object)
        {
            throw ApiErrors.DocumentTypeNotSupported;
        }
        return doc;
    }

    private static void CheckKeys(JsonElement doc, string[] allowed)
    {
        foreach (var property in doc.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                throw ApiErrors.BadBody($"Additional properties are not allowed ('{property.Name}' was unexpected)");
            }
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
    private static partial Regex NamePattern();
}
