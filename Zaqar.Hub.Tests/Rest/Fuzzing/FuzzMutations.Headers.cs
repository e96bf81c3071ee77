using System.Globalization;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>The mutations of who a request says it is (identity and pre-signed URL headers) and of how its body is framed.</summary>
public static partial class FuzzMutations
{
    private static Mutation Identity(Random r, FuzzWorker worker)
    {
        var project = worker.Project;
        var client = worker.ClientId;
        // Every project variant starts with the worker's token, so whatever it writes is still checked as the worker's.
        string?[] projects =
        [
            null, "", " ", project + " ", project + "\t", project + "é", project + "\u0001", project + new string('x', 300),
            project + "/../other", project + "%00", project + "'; DROP TABLE queues;--", project + "\u202e", project + "\\", project + "*",
            project + "%", project + "_", worker.Token, string.Concat(Enumerable.Repeat(project, 10)), project + "\ud83d\ude00", project + ",x",
        ];
        string?[] clients =
        [
            null, "", client.ToUpperInvariant(), client.Replace("-", "", StringComparison.Ordinal), "{" + client + "}", "urn:uuid:" + client,
            "not-a-uuid", client + "x", client[..35], client + " ", "é" + client[1..], client[..8] + "\t" + client[9..], new('a', 10000),
            "00000000-0000-0000-0000-000000000000", client + "," + client,
        ];
        var which = r.Next(3);
        if (which == 2)
        {
            var second = projects[r.Next(projects.Length)] ?? project + "2";
            return new(FuzzTag.Identity, FuzzStage.Request, $"second X-Project-ID: {FuzzCase.Printable(second, 40)}",
                d => d.Headers.Add(new("X-Project-ID", second)));
        }
        var (name, value) = which == 0 ? ("X-Project-ID", projects[r.Next(projects.Length)]) : ("Client-ID", clients[r.Next(clients.Length)]);
        return new(FuzzTag.Identity, FuzzStage.Request, $"{name}: {(value is null ? "(none)" : FuzzCase.Printable(value, 40))}",
            d => d.SetHeader(name, value));
    }

    private static Mutation Signed(Random r, SignedGrant grant)
    {
        var catastrophic = string.Join(",", Enumerable.Repeat("(a+)+$", 60));
        var (label, signature, expires, methods, paths) = r.Next(12) switch
        {
            0 => ("valid", grant.Signature, grant.Expires, grant.Methods, grant.Paths),
            1 => ("signature flipped", grant.Signature[..^1] + (grant.Signature[^1] == '0' ? '1' : '0'), grant.Expires, grant.Methods, grant.Paths),
            2 => ("signature junk", r.Next(2) == 0 ? "" : new string('z', 5000), grant.Expires, grant.Methods, grant.Paths),
            3 => ("expired", grant.Signature, "2000-01-01T00:00:00", grant.Methods, grant.Paths),
            4 => ("expires odd", grant.Signature, Pick(r, ["1700000000", "garbage", "9999-12-31T23:59:59", grant.Expires + "Z", ""]), grant.Methods, grant.Paths),
            5 => ("methods odd", grant.Signature, grant.Expires, Pick(r, ["GET", "get", "", "GET,POST,PUT,PATCH,DELETE,HEAD", grant.Methods + ",X"]), grant.Paths),
            6 => ("paths widened", grant.Signature, grant.Expires, grant.Methods, grant.Paths + ",/v2/queues/q1/messages"),
            7 => ("paths regex", grant.Signature, grant.Expires, grant.Methods, Pick(r, [".*", "(", "[a-", "^/v2/.*$", "/v2/queues/q.*"])),
            8 => ("paths catastrophic", new string('0', 64), grant.Expires, grant.Methods, catastrophic),
            _ => ("valid", grant.Signature, grant.Expires, grant.Methods, grant.Paths),
        };
        return new(FuzzTag.SignedUrl, FuzzStage.Request, $"signed URL headers ({label})", d =>
        {
            d.SetHeader("URL-Signature", signature);
            d.SetHeader("URL-Expires", expires);
            d.SetHeader("URL-Methods", methods);
            d.SetHeader("URL-Paths", paths);
            if (label == "paths catastrophic")
            {
                // Issue 10 item 1: patterns that backtrack exponentially on a run of a's.
                d.Segments.Add(new string('a', 40) + "!");
            }
        });
    }

    private static Mutation FramingMutation(Random r)
    {
        static byte[] Body(RequestDraft d) => d.BodyBytes ?? [];
        static string Len(int n) => n.ToString(CultureInfo.InvariantCulture);
        static Action<RequestDraft> Custom(params Func<RequestDraft, (string, string)>[] headers) => d =>
        {
            d.Framing = Framing.Custom;
            d.FramingHeaders.AddRange(headers.Select(h => h(d)).Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2)));
        };
        static Action<RequestDraft> Chunks(Func<byte[], string> head, string tail) => d =>
        {
            d.Framing = Framing.Chunked;
            d.RawPayload = [.. System.Text.Encoding.ASCII.GetBytes(head(Body(d))), .. Body(d), .. System.Text.Encoding.ASCII.GetBytes(tail)];
        };
        var oddLength = Pick(r, ["-1", "abc", "1e3", " 5", "+5", "0x10", "", "99999999999999999999", "1,1"]);
        var oddEncoding = Pick(r, ["gzip", "chunked, gzip", "identity", "chunked, chunked", "xchunked"]);
        (string Label, Action<RequestDraft> Apply)[] options =
        [
            ("chunked", d => d.Framing = Framing.Chunked),
            ("chunk extension", Chunks(b => Convert.ToString(b.Length, 16) + ";ext=1\r\n", "\r\n0\r\n\r\n")),
            ("chunk size not hex", Chunks(_ => "zz\r\n", "\r\n0\r\n\r\n")),
            ("chunk size over the data", Chunks(b => Convert.ToString(b.Length + 100, 16) + "\r\n", "")),
            ("no last chunk", Chunks(b => Convert.ToString(b.Length, 16) + "\r\n", "\r\n")),
            ("chunk size huge", Chunks(_ => "ffffffffffffffff\r\n", "")),
            ("no Content-Length", Custom()),
            ("Content-Length short", Custom(d => ("Content-Length", Len(Body(d).Length / 2)))),
            ("Content-Length long", Custom(d => ("Content-Length", Len(Body(d).Length + 100)))),
            ($"Content-Length: {oddLength}", Custom(_ => ("Content-Length", oddLength))),
            ("Content-Length twice", Custom(d => ("Content-Length", Len(Body(d).Length)), d => ("Content-Length", Len(Body(d).Length + 1)))),
            ("Content-Length and chunked", Custom(d => ("Content-Length", Len(Body(d).Length)), _ => ("Transfer-Encoding", "chunked"))),
            ($"Transfer-Encoding: {oddEncoding}", Custom(_ => ("Transfer-Encoding", oddEncoding))),
            ("Expect: 100-continue", d => d.SetHeader("Expect", "100-continue")),
        ];
        var (label, apply) = options[r.Next(options.Length)];
        return new(FuzzTag.Framing, FuzzStage.Request, label, apply);
    }
}
