using System.Globalization;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>
/// The mutations of a request around its body: method, path segments, query parameters with the edge values of their
/// type, headers; identity headers, pre-signed URL headers and framing in FuzzMutations.Headers.cs. Body mutations are in
/// <see cref="BodyMutations"/>.
/// </summary>
public static partial class FuzzMutations
{
    private static readonly string[] OddMethods =
        ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "FOO", "get", "PROPFIND", "M-SEARCH", new('A', 300)];

    /// <summary>Path segments past the name rules, encoded and raw (issue 10: unicode, %-encodings, overlong).</summary>
    private static readonly string[] OddSegments =
    [
        "", ".", "..", "%2e%2e", "%2F", "a%2Fb", "%25", "%zz", "%", "%e9", "%C3%A9", "%ED%A0%80", "%C0%AF", "%F4%90%80%80", "é",
        "\ud83d\ude00", "\u202e", new('x', 64), new('x', 65), new string('a', 40) + "!", new('x', 5000), new('x', 20000), "q0;x", "q0%3Bx",
        "%20", "+", "q0%09", "%0d%0a", "~", "q0.", "-", "_", "Q0", "{queue}", "q0%2C q1", "%EF%BC%A1", "*", "q0%23x", "q0%3Fx=1",
    ];

    private static readonly string[] NulSegments = ["%00", "q0%00", "%00q0", "\0"];

    private static readonly string[] IntEdges =
    [
        "0", "1", "10", "20", "21", "100", "-1", "-0", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "99999999999999999999999999", "1e3", "1.5", "0x10", "%201", "1%20", "%2B3",
        "--1", "%D9%A1", "%EF%BC%95", "NaN", "", "%20", "abc", new('9', 1000),
    ];

    private static readonly string[] BoolEdges =
        ["true", "True", "TRUE", "t", "yes", "on", "false", "off", "maybe", "", "tru", "%74rue", "true%20", "%20true", "1.0", "nil"];

    private static readonly string[] NameEdges =
        ["", "-", ".", "..", "_", new('x', 64), new('x', 65), "%C3%A9", "a%20b", "q0,q1", "*", "%2A", "%FF", "%ED%A0%80", new('x', 5000), "q0%2F.."];

    private static readonly string[] ContentTypes =
    [
        "application/json; charset=utf-16", "application/json; charset=latin1", "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-8", "text/plain", CaseGenerator.JsonPatchType, "application/json-patch+json",
        "*/*", ";;;", "application/json, text/plain", "", "multipart/form-data; boundary=x", "application/json; charset=\"", new('a', 3000),
    ];

    private static readonly string[] Accepts =
    [
        "text/plain", "application/json;q=0", "*/*", "application/*", "garbage;;q=x", "application/json, */*;q=0", "",
        "application/json;q=abc", "text/html, application/xhtml+xml", new string('a', 3000) + "/json",
    ];

    private static readonly (string Name, string Value)[] OddHeaders =
    [
        ("X-Roles", "admin"), ("X-Roles", ""), ("X-Roles", "ADMIN"), ("X-Roles", " admin "), ("X-Roles", ",,,"), ("X-Roles", "reader,admin"),
        ("X-Roles", new string('r', 5000)), ("Authorization", "Bearer x"), ("Authorization", "Bearer "), ("Authorization", "Basic Zm9vOmJhcg=="),
        ("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJwcm9qZWN0X2lkIjoieCJ9."), ("X-Auth-Token", "junk"), ("EXTRA-SPEC", "messagecode:1"),
        ("EXTRA-SPEC", ":::"), ("X-Forwarded-For", "not an address"), ("Origin", "http://evil.example"), ("Cookie", new string('c', 8000)),
        ("X-Junk", new string('j', 40000)), ("X-Junk", "é"), ("X-Junk", "a\u0001b"), ("X Junk", "1"), ("X-é", "1"), ("X-Junk_x", "1"),
        ("Connection", "close"), ("Upgrade", "websocket"), ("Host", ""), ("Host", "evil.example"), ("Host", "a b"), ("Host", "127.0.0.1:99999"),
        ("Range", "bytes=0-1"), ("If-None-Match", "*"), ("X-HTTP-Method-Override", "DELETE"), ("Content-Encoding", "gzip"),
    ];

    /// <summary>One mutation for a case of <paramref name="route"/>, whose valid request is <paramref name="sample"/>.</summary>
    public static Mutation Pick(Random r, RouteSpec route, FuzzWorker worker, RequestDraft sample)
    {
        var hasBody = sample.Body is not null;
        while (true)
        {
            var roll = r.Next(100);
            switch (roll)
            {
                case < 14: return Segment(r, sample);
                case < 16: return NulSegment(r, sample);
                case < 30: return QueryEdge(r, route, worker, sample);
                case < 34: return QueryJunk(r);
                case < 36: return QueryNul(r, route);
                case < 46: return Header(r);
                case < 53: return Identity(r, worker);
                case < 57 when worker.Grant is not null: return Signed(r, worker.Grant);
                case < 62: return FramingMutation(r);
                case < 66: return Method(r);
                case >= 66 when hasBody: return BodyMutations.Pick(r);
                case >= 66 when route.Method is "POST" or "PUT" or "PATCH" || r.Next(4) == 0: return BodyMutations.Unwanted(r);
            }
        }
    }

    private static Mutation Method(Random r)
    {
        var method = OddMethods[r.Next(OddMethods.Length)];
        return new(FuzzTag.Method, FuzzStage.Request, $"method {method}", d =>
        {
            d.Method = method;
            if (d.Segments is ["hubs", "queues"] && method is not ("POST" or "DELETE"))
            {
                // A live connection token on a GET is a long poll, which waits by design: not a hang to report.
                d.Query.RemoveAll(p => p.Key == "id");
            }
        });
    }

    private static Mutation Segment(Random r, RequestDraft sample)
    {
        var pick = r.Next(1000);
        switch (r.Next(6))
        {
            case 0:
                var extra = OddSegments[r.Next(OddSegments.Length)];
                return new(FuzzTag.PathSegment, FuzzStage.Request, $"extra segment '{extra}'", d => d.Segments.Insert(pick % (d.Segments.Count + 1), extra));
            case 1 when sample.Segments.Count > 0:
                return new(FuzzTag.PathSegment, FuzzStage.Request, "segment removed", d =>
                {
                    if (d.Segments.Count > 0)
                    {
                        d.Segments.RemoveAt(pick % d.Segments.Count);
                    }
                });
            default:
                var odd = OddSegments[r.Next(OddSegments.Length)];
                // Mostly the last segments: the names and ids.
                return new(FuzzTag.PathSegment, FuzzStage.Request, $"segment = '{odd}'", d => Replace(d.Segments, pick, odd));
        }
    }

    private static Mutation NulSegment(Random r, RequestDraft sample)
    {
        var nul = NulSegments[r.Next(NulSegments.Length)];
        var pick = r.Next(1000);
        return new(FuzzTag.PathNul, FuzzStage.Request, $"segment = '{nul}'", d => Replace(d.Segments, pick, nul));
    }

    private static void Replace(List<string> segments, int pick, string value)
    {
        if (segments.Count == 0)
        {
            segments.Add(value);
            return;
        }
        var index = pick % 3 == 0 ? pick % segments.Count : segments.Count - 1 - pick % Math.Min(2, segments.Count);
        segments[index] = value;
    }

    private static Mutation QueryEdge(Random r, RouteSpec route, FuzzWorker worker, RequestDraft sample)
    {
        var parameter = route.Query.Length > 0 ? route.Query[r.Next(route.Query.Length)] : new QueryParam("limit", ParamKind.Int);
        var target = CaseGenerator.TargetOf(sample.Segments);
        var known = parameter.Kind switch
        {
            ParamKind.MessageId or ParamKind.MessageIds => worker.MessageIds.Pick(r, target),
            ParamKind.ClaimId or ParamKind.ClaimIds => worker.ClaimIds.Pick(r, target),
            ParamKind.SubscriptionId => worker.SubscriptionIds.Pick(r, target),
            ParamKind.ConnectionToken => sample.Method == "GET" ? null : worker.ConnectionTokens.Pick(r),
            _ => null,
        } ?? Guid.NewGuid().ToString();
        var value = parameter.Kind switch
        {
            ParamKind.Int => IntEdges[r.Next(IntEdges.Length)],
            ParamKind.Bool => BoolEdges[r.Next(BoolEdges.Length)],
            ParamKind.QueueName or ParamKind.PoolName or ParamKind.FlavorName => NameEdges[r.Next(NameEdges.Length)],
            ParamKind.MessageIds or ParamKind.ClaimIds => IdListEdge(r, known),
            ParamKind.HubCredential => r.Next(2) == 0 ? worker.Project + "%C3%A9" : NameEdges[r.Next(NameEdges.Length)],
            _ => IdEdge(r, known),
        };
        return new(FuzzTag.Query, FuzzStage.Request, $"{parameter.Name}={value}", d =>
        {
            d.Query.RemoveAll(p => p.Key == parameter.Name);
            d.Query.Add(new(parameter.Name, value));
        });
    }

    private static string IdEdge(Random r, string known)
    {
        string[] edges =
        [
            known, Guid.NewGuid().ToString(), "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "7fffffffffffffff0000000000000000", "%7B" + known + "%7D", known.ToUpperInvariant(), "urn%3Auuid%3A" + known, "not-an-id",
            "1", "-1", known + "x", known[..^1], "%C3%A9" + known[2..], new('f', 5000), known.Replace("-", "", StringComparison.Ordinal),
        ];
        return edges[r.Next(edges.Length)];
    }

    private static string IdListEdge(Random r, string known)
    {
        string Many(int n) => string.Join(",", Enumerable.Range(0, n).Select(_ => Guid.NewGuid().ToString()));
        string[] edges = [known, Many(20), Many(21), Many(100), ",", ",,,", known + ",junk", known + "," + known, Many(200), "%2C", known + ",,"];
        return edges[r.Next(edges.Length)];
    }

    private static Mutation QueryJunk(Random r)
    {
        (string, string?)[][] junk =
        [
            [("k", "v")], [("_default_message_ttl", "5")], [("limit", "1"), ("limit", "2")], [("limit", null)], [("", "v")], [("%zz", "1")],
            [("a", "%zz")], [("q", new string('q', 6000))], [("limit", "1"), ("limit", "")], [("%26", "1")], [("a+b", "c+d")], [("a", "%E9")],
            [("a", "%C3%A9")], [("a[b]", "c")], [("echo", "true"), ("echo", "maybe")],
        ];
        var chosen = junk[r.Next(junk.Length)];
        return new(FuzzTag.Query, FuzzStage.Request, "query " + string.Join("&", chosen.Select(p => $"{p.Item1}={p.Item2}")),
            d => d.Query.AddRange(chosen.Select(p => new KeyValuePair<string, string?>(p.Item1, p.Item2))));
    }

    private static Mutation QueryNul(Random r, RouteSpec route)
    {
        var name = route.Query.Length > 0 ? route.Query[r.Next(route.Query.Length)].Name : "name";
        var (key, value) = r.Next(4) switch
        {
            0 => (name, "%00"),
            1 => (name, "q0%00"),
            2 => (name + "%00", "1"),
            _ => ("name", "%00"),
        };
        return new(FuzzTag.QueryNul, FuzzStage.Request, $"{key}={value}", d =>
        {
            d.Query.RemoveAll(p => p.Key == key);
            d.Query.Add(new(key, value));
        });
    }

    private static Mutation Header(Random r)
    {
        switch (r.Next(4))
        {
            case 0:
                var type = r.Next(8) == 0 ? null : ContentTypes[r.Next(ContentTypes.Length)];
                return new(FuzzTag.Header, FuzzStage.Request, $"Content-Type: {type ?? "(none)"}", d => d.SetHeader("Content-Type", type));
            case 1:
                var accept = Accepts[r.Next(Accepts.Length)];
                return new(FuzzTag.Header, FuzzStage.Request, $"Accept: {accept}", d => d.SetHeader("Accept", accept));
            case 2 when r.Next(4) == 0:
                var many = r.Next(50, 300);
                return new(FuzzTag.Header, FuzzStage.Request, $"{many} extra headers",
                    d => d.Headers.AddRange(Enumerable.Range(0, many).Select(i => new KeyValuePair<string, string>($"X-H{i}", "v"))));
            default:
                var (name, value) = OddHeaders[r.Next(OddHeaders.Length)];
                return new(FuzzTag.Header, FuzzStage.Request, $"{name}: {FuzzCase.Printable(value, 40)}", d => d.SetHeader(name, value));
        }
    }

    private static string Pick(Random r, string[] items) => items[r.Next(items.Length)];
}
