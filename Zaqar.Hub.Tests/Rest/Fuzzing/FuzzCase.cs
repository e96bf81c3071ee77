using System.Globalization;
using System.Text;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>What a mutation changes; each tag belongs to one <see cref="FuzzArea"/>.</summary>
public enum FuzzTag
{
    /// <summary>An optional part of a valid request (a query parameter, a header): shrinking may drop it.</summary>
    Valid,
    Method,
    PathSegment,
    Query,
    Header,
    /// <summary>Content-Length and Transfer-Encoding oddities, Expect: 100-continue.</summary>
    Framing,
    /// <summary>A field of the document of the wrong type, missing, unknown, or out of range.</summary>
    BodyField,
    /// <summary>Not JSON any more: truncated, broken syntax, trailing garbage, BOM, invalid UTF-8, empty.</summary>
    BodySyntax,
    /// <summary>NUL (raw or %00) in a path segment: a name or id.</summary>
    PathNul,
    QueryNul,
    /// <summary>X-Project-ID or Client-ID with other characters or lengths.</summary>
    Identity,
    JsonDepth,
    JsonString,
    JsonNumber,
    JsonKey,
    /// <summary>URL-* headers of a pre-signed URL (valid or mutated).</summary>
    SignedUrl,
}

/// <summary>Who owns a class of failure in issue 10, so a run reports each apart and a rerun after a fix shows it gone.</summary>
public enum FuzzArea
{
    /// <summary>The REST transport and the API layer's validation (this fuzzer's own area).</summary>
    Rest,
    /// <summary>The content of JSON values (depth, surrogates, NUL, duplicate keys, numbers), identity headers, NUL in names and queries.</summary>
    Json,
    /// <summary>Pre-signed URL verification.</summary>
    Auth,
}

public static class FuzzAreas
{
    public static FuzzArea Of(FuzzTag tag) => tag switch
    {
        FuzzTag.PathNul or FuzzTag.QueryNul or FuzzTag.Identity or FuzzTag.JsonDepth or FuzzTag.JsonString or FuzzTag.JsonNumber
            or FuzzTag.JsonKey => FuzzArea.Json,
        FuzzTag.SignedUrl => FuzzArea.Auth,
        _ => FuzzArea.Rest,
    };

    /// <summary>The area of a case: JSON content first (it also poisons later reads), then signed URLs, else REST.</summary>
    public static FuzzArea Of(IEnumerable<FuzzTag> tags)
    {
        var areas = tags.Select(Of).ToHashSet();
        return areas.Contains(FuzzArea.Json) ? FuzzArea.Json : areas.Contains(FuzzArea.Auth) ? FuzzArea.Auth : FuzzArea.Rest;
    }

    public static string Name(FuzzArea area) => area switch
    {
        FuzzArea.Json => "i10-json",
        FuzzArea.Auth => "i10-auth",
        _ => "rest",
    };
}

/// <summary>When a mutation applies: to the body's tree, to its text, or to the request around it.</summary>
public enum FuzzStage
{
    Tree,
    Text,
    Request,
}

/// <summary>One change to a valid request; its random choices are drawn when it is made, so it applies the same way each time.</summary>
public sealed record Mutation(FuzzTag Tag, FuzzStage Stage, string Label, Action<RequestDraft> Apply);

/// <summary>How the body is framed on the wire.</summary>
public enum Framing
{
    ContentLength,
    Chunked,
    /// <summary>Headers from <see cref="RequestDraft.FramingHeaders"/> only (lies, duplicates, both at once); the client then half-closes.</summary>
    Custom,
}

/// <summary>A request being built: a valid request of a route, then each mutation applied in turn.</summary>
public sealed class RequestDraft
{
    public required string Method { get; set; }

    /// <summary>The path's segments as sent (already percent-encoded where they should be).</summary>
    public required List<string> Segments { get; set; }

    /// <summary>Query parameters as sent (encoded); a null value is a bare name without '='.</summary>
    public List<KeyValuePair<string, string?>> Query { get; } = [];

    /// <summary>Headers in order; values are written as UTF-8 bytes.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public JVal? Body { get; set; }

    public byte[]? BodyBytes { get; set; }

    public Framing Framing { get; set; } = Framing.ContentLength;

    public List<KeyValuePair<string, string>> FramingHeaders { get; } = [];

    /// <summary>The bytes after the head as they are (a chunked body with lies in it); null frames the body as it should be.</summary>
    public byte[]? RawPayload { get; set; }

    public void SetHeader(string name, string? value)
    {
        Headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
        if (value is not null)
        {
            Headers.Add(new(name, value));
        }
    }

    public string? Header(string name) =>
        Headers.LastOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public string Target()
    {
        var path = "/" + string.Join("/", Segments);
        return Query.Count == 0 ? path : path + "?" + string.Join("&", Query.Select(p => p.Value is null ? p.Key : p.Key + "=" + p.Value));
    }
}

/// <summary>A generated case: the route it aims at, the valid request, and the mutations on it.</summary>
public sealed class FuzzCase(RouteSpec route, Func<RequestDraft> valid, IReadOnlyList<Mutation> mutations)
{
    public RouteSpec Route { get; } = route;

    public IReadOnlyList<Mutation> Mutations { get; } = mutations;

    public IEnumerable<FuzzTag> Tags => Mutations.Select(m => m.Tag);

    public FuzzArea Area => FuzzAreas.Of(Tags);

    public FuzzCase Without(int index) => new(Route, valid, [.. Mutations.Where((_, i) => i != index)]);

    /// <summary>The request with every mutation applied, stage by stage.</summary>
    public RequestDraft Build()
    {
        var draft = valid();
        foreach (var stage in new[] { FuzzStage.Tree, FuzzStage.Text, FuzzStage.Request })
        {
            if (stage == FuzzStage.Text && draft.Body is not null)
            {
                draft.BodyBytes = Encoding.UTF8.GetBytes(draft.Body.ToString());
            }
            foreach (var mutation in Mutations.Where(m => m.Stage == stage))
            {
                mutation.Apply(draft);
            }
        }
        return draft;
    }

    /// <summary>The request's bytes on the wire (HTTP/1.1).</summary>
    public static byte[] Serialize(RequestDraft draft, string host)
    {
        var head = new StringBuilder();
        head.Append(draft.Method).Append(' ').Append(draft.Target()).Append(" HTTP/1.1\r\n");
        if (draft.Header("Host") is null)
        {
            head.Append("Host: ").Append(host).Append("\r\n");
        }
        foreach (var (name, value) in draft.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        var body = draft.BodyBytes ?? [];
        var payload = draft.RawPayload ?? body;
        switch (draft.Framing)
        {
            case Framing.ContentLength when body.Length > 0 || draft.Method is "POST" or "PUT" or "PATCH":
                head.Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
                break;
            case Framing.Chunked:
                head.Append("Transfer-Encoding: chunked\r\n");
                payload = draft.RawPayload ?? Chunked(body);
                break;
            case Framing.Custom:
                foreach (var (name, value) in draft.FramingHeaders)
                {
                    head.Append(name).Append(": ").Append(value).Append("\r\n");
                }
                break;
        }
        head.Append("\r\n");
        return [.. Encoding.UTF8.GetBytes(head.ToString()), .. payload];
    }

    /// <summary>The body as one chunk and the last chunk.</summary>
    public static byte[] Chunked(byte[] body) => body.Length == 0
        ? "0\r\n\r\n"u8.ToArray()
        : [.. Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), .. body, .. "\r\n0\r\n\r\n"u8];

    /// <summary>The request as a reader can take it in: non-printable bytes escaped, a long body cut in the middle.</summary>
    public static string Describe(RequestDraft draft)
    {
        var text = new StringBuilder();
        text.Append(draft.Method).Append(' ').Append(Printable(draft.Target(), 600)).Append('\n');
        foreach (var (name, value) in draft.Headers.Concat(draft.Framing == Framing.Custom ? draft.FramingHeaders : []))
        {
            text.Append(Printable(name, 100)).Append(": ").Append(Printable(value, 300)).Append('\n');
        }
        if (draft.Framing == Framing.Chunked)
        {
            text.Append("Transfer-Encoding: chunked\n");
        }
        if ((draft.RawPayload ?? draft.BodyBytes) is { Length: > 0 } body)
        {
            text.Append('\n').Append(Printable(Encoding.UTF8.GetString(body), 1200)).Append($"\n({body.Length} bytes)");
        }
        return text.ToString();
    }

    /// <summary>Control characters, surrogates and non-ASCII escaped as \uXXXX; past <paramref name="max"/> characters the middle is elided.</summary>
    public static string Printable(string text, int max)
    {
        var escaped = new StringBuilder();
        foreach (var c in text)
        {
            escaped.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
        }
        var s = escaped.ToString();
        return s.Length <= max ? s : $"{s[..(max / 2)]}…[{s.Length - max} characters]…{s[^(max / 2)..]}";
    }
}
