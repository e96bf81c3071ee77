using System.Text;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>
/// Mutations of a valid document: fields of the wrong type, missing, unknown or out of range (REST's validation), the
/// JSON value classes of issue 10 (depth, string content, numbers, keys), and text that is no longer JSON.
/// </summary>
public static class BodyMutations
{
    /// <summary>Integers at the edges of the contract's ranges (ttl, grace, delay, sizes, weights, limits).</summary>
    private static readonly long[] RangeEdges = [-1, 0, 1, 59, 60, 61, 900, 901, 43200, 43201, 1209600, 1209601, 262144, 262145, 4294967295, 4294967296];

    private static readonly int[] Depths = [10, 31, 32, 33, 61, 62, 63, 64, 65, 66, 70, 100, 125, 126, 127, 128, 129, 200, 1000, 2000];

    private static readonly string[] NotJson =
    [
        "", " ", "null", "[]", "{}", "\"x\"", "1", "true", "{\"messages\":", "{'a':1}", "{\"a\":1,}", "{\"a\":NaN}", "{\"a\":Infinity}",
        "/*c*/{}", "{\"a\":1}{\"b\":2}", "{\"a\":\"\u0001\"}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":\"\\x41\"}", "\ufeff{}",
    ];

    private static readonly byte[][] BadUtf8 = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]];

    public static Mutation Pick(Random r)
    {
        var pick = r.Next(1 << 20);
        switch (r.Next(100))
        {
            case < 10:
                var other = FuzzValues.Random(r, 2);
                return Tree(FuzzTag.BodyField, $"a value replaced by {FuzzCase.Printable(other.ToString(), 40)}",
                    root => FuzzValues.Replace(root, pick, _ => other.Clone()));
            case < 16:
                return Edit(FuzzTag.BodyField, "a member removed", pick, Objects, o => o.Members.Count > 0, o => o.Members.RemoveAt(pick % o.Members.Count));
            case < 20:
                var unknown = FuzzValues.Word(r);
                return Edit(FuzzTag.BodyField, $"unknown member '{unknown}'", pick, Objects, _ => true,
                    o => o.Members.Add(new JMember(JVal.Str(unknown).Text, JVal.Num(1))));
            case < 30:
                var edge = RangeEdges[r.Next(RangeEdges.Length)];
                return Tree(FuzzTag.BodyField, $"an integer = {edge}",
                    root => FuzzValues.Replace(root, pick, _ => JVal.Num(edge), n => n is JLit { Text: [(>= '0' and <= '9') or '-', ..] }));
            case < 34:
                var document = CaseGenerator.Pick(r, ["[]", "{}", "\"str\"", "1", "null", "[document]"]);
                return Tree(FuzzTag.BodyField, $"document = {document}", root => document switch
                {
                    "[]" => JVal.Arr(),
                    "{}" => JVal.Obj(),
                    "[document]" => JVal.Arr(root),
                    _ => new JLit(document),
                });
            case < 40:
                var size = CaseGenerator.Pick(r, [0, 1, 21, 100, 1000]);
                return Edit(FuzzTag.BodyField, $"an array resized to {size}", pick, Arrays, a => a.Items.Count > 0, a =>
                {
                    var copies = Enumerable.Range(0, size).Select(i => a.Items[i % a.Items.Count].Clone()).ToList();
                    a.Items.Clear();
                    a.Items.AddRange(copies);
                });
            case < 43:
                var length = CaseGenerator.Pick(r, [70_000, 300_000, 1_100_000]);
                return Tree(FuzzTag.BodyField, $"a string of {length} characters", root => FuzzValues.Replace(root, pick, _ => JVal.Str(new string('x', length))));
            case < 58:
                return Text(r, pick);
            case < 68:
                var depth = Depths[r.Next(Depths.Length)];
                var objects = r.Next(2) == 0;
                return Tree(FuzzTag.JsonDepth, $"a value nested {depth} {(objects ? "objects" : "arrays")} deep",
                    root => FuzzValues.Replace(root, pick, node => FuzzValues.Nest(node, depth, objects)));
            case < 80:
                var content = FuzzValues.EdgeStringEscapes[r.Next(FuzzValues.EdgeStringEscapes.Length)];
                var repeat = r.Next(6) == 0 ? 20_000 : 1;
                var literal = new JLit("\"" + string.Concat(Enumerable.Repeat(content, repeat)) + FuzzValues.Word(r) + "\"");
                return Tree(FuzzTag.JsonString, $"a string with \"{FuzzCase.Printable(content, 20)}\"{(repeat > 1 ? $" x{repeat}" : "")}",
                    root => FuzzValues.Replace(root, pick, _ => literal));
            case < 90:
                var number = FuzzValues.EdgeNumbers[r.Next(FuzzValues.EdgeNumbers.Length)];
                return Tree(FuzzTag.JsonNumber, $"a number = {FuzzCase.Printable(number, 30)}", root => FuzzValues.Replace(root, pick, _ => new JLit(number)));
            default:
                return Key(r, pick);
        }
    }

    /// <summary>A body on a request that has none (a GET with a document, a DELETE with junk).</summary>
    public static Mutation Unwanted(Random r)
    {
        var body = FuzzValues.Random(r, 2);
        return new(FuzzTag.BodyField, FuzzStage.Tree, $"unexpected body {FuzzCase.Printable(body.ToString(), 40)}", d =>
        {
            d.Body = body.Clone();
            if (d.Header("Content-Type") is null)
            {
                d.Headers.Add(new("Content-Type", "application/json"));
            }
        });
    }

    private static Mutation Key(Random r, int pick)
    {
        var value = FuzzValues.Random(r, 1);
        var escape = FuzzValues.EdgeStringEscapes[r.Next(FuzzValues.EdgeStringEscapes.Length)];
        (string Label, Action<JObj> Apply)[] options =
        [
            ("a key repeated", o => o.Members.Add(o.Members[pick % o.Members.Count] with { Value = value.Clone() })),
            ("an empty key", o => o.Members.Add(new JMember("\"\"", value.Clone()))),
            ($"a key with \"{FuzzCase.Printable(escape, 20)}\"", o => o.Members.Add(new JMember("\"" + escape + "\"", value.Clone()))),
            ("1000 keys", o => o.Members.AddRange(Enumerable.Range(0, 1000).Select(i => new JMember($"\"key-{i}\"", JVal.Num(i))))),
            ("_default_message_ttl twice", o => o.Members.AddRange([new("\"_default_message_ttl\"", JVal.Num(60)), new("\"_default_message_ttl\"", JVal.Str("x"))])),
        ];
        var choice = r.Next(options.Length);
        var (label, apply) = options[choice];
        return Edit(FuzzTag.JsonKey, label, pick, Objects, o => choice != 0 || o.Members.Count > 0, apply);
    }

    private static Mutation Text(Random r, int pick)
    {
        var text = NotJson[r.Next(NotJson.Length)];
        var bad = BadUtf8[r.Next(BadUtf8.Length)];
        const string junkBytes = "{}[],:\"\\x\0";
        var junk = (byte)junkBytes[r.Next(junkBytes.Length)];
        var garbage = Encoding.UTF8.GetBytes(CaseGenerator.Pick(r, ["}", "x", " garbage", "\0", "]"]));
        (string Label, Func<byte[], byte[]> Apply)[] options =
        [
            ("truncated", b => b[..(pick % Math.Max(1, b.Length))]),
            ("a byte dropped", b => b.Length == 0 ? b : [.. b[..(pick % b.Length)], .. b[(pick % b.Length + 1)..]]),
            ($"'{(char)junk}' inserted", b => [.. b[..(pick % (b.Length + 1))], junk, .. b[(pick % (b.Length + 1))..]]),
            ("a BOM first", b => [0xEF, 0xBB, 0xBF, .. b]),
            ($"'{FuzzCase.Printable(Encoding.UTF8.GetString(garbage), 10)}' after", b => [.. b, .. garbage]),
            ($"document = {FuzzCase.Printable(text, 30)}", _ => Encoding.UTF8.GetBytes(text)),
            ($"invalid UTF-8 {Convert.ToHexString(bad)} in a string",
                b => Array.IndexOf(b, (byte)'"') is var q and >= 0 ? [.. b[..(q + 1)], .. bad, .. b[(q + 1)..]] : [.. bad, .. b]),
            ("UTF-16", b => Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(b))),
            ("random bytes", _ => [.. Enumerable.Range(0, pick % 200).Select(i => (byte)((pick * 31 + i * 17) & 0xFF))]),
        ];
        var (label, apply) = options[r.Next(options.Length)];
        return new(FuzzTag.BodySyntax, FuzzStage.Text, label, d => d.BodyBytes = apply(d.BodyBytes ?? []));
    }

    private static IEnumerable<JObj> Objects(JVal root) => FuzzValues.Objects(root);

    private static IEnumerable<JArr> Arrays(JVal root) => FuzzValues.Nodes(root).Select(n => n.Node).OfType<JArr>();

    private static Mutation Tree(FuzzTag tag, string label, Func<JVal, JVal> apply) =>
        new(tag, FuzzStage.Tree, label, d => d.Body = d.Body is null ? null : apply(d.Body));

    /// <summary>Edits in place the container at <paramref name="pick"/> among those of the document <paramref name="where"/> admits.</summary>
    private static Mutation Edit<T>(FuzzTag tag, string label, int pick, Func<JVal, IEnumerable<T>> containers, Func<T, bool> where, Action<T> edit) =>
        Tree(tag, label, root =>
        {
            var candidates = containers(root).Where(where).ToList();
            if (candidates.Count > 0)
            {
                edit(candidates[pick % candidates.Count]);
            }
            return root;
        });
}
