using System.Globalization;
using CsCheck;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>What in a generated JSON text breaks the definition of an acceptable value (depth aside).</summary>
[Flags]
internal enum JsonFault
{
    None = 0,
    UnpairedSurrogate = 1,
    Nul = 2,
    DuplicateKey = 4,
    IntegerTooLarge = 8,
    NumberTooLarge = 16,
}

/// <summary>A generated JSON text, with what the generator knows about it: its nesting depth and its faults.</summary>
internal sealed record JsonCase(string Text, int Depth, JsonFault Faults)
{
    /// <summary>Whether the service must accept the value where it may nest <paramref name="maxDepth"/> levels.</summary>
    public bool AcceptableAt(int maxDepth) => Faults == JsonFault.None && Depth <= maxDepth;

    public override string ToString() => $"{Text} (depth {Depth}, faults {Faults})";
}

/// <summary>
/// Random JSON texts for issue 10's property test, aimed at the edges of the definition: depth around the limit, unicode
/// (non-BMP, escaped pairs, noncharacters, unpaired surrogates in values and keys, NUL), numbers at the limits of int64
/// and double, duplicate keys (also spelled differently) and empty keys. The generator knows each text's faults, so the
/// test checks the service's verdict against it rather than against a second copy of the rule.
/// </summary>
internal static class JsonCases
{
    // Text pieces of strings and whether they break the string rule. An unpaired high surrogate is followed by "x", so
    // that a next piece never completes its pair.
    private static readonly (string Text, JsonFault Fault)[] StringPieces =
    [
        ("plain", JsonFault.None), (" ", JsonFault.None), ("é", JsonFault.None), ("日本", JsonFault.None), ("😀", JsonFault.None),
        ("\\ud83d\\ude00", JsonFault.None), ("\\u00e9", JsonFault.None), ("\\n\\t\\\"\\\\\\/", JsonFault.None),
        ("\\u0001", JsonFault.None), ("\\u001f", JsonFault.None), ("\\uffff", JsonFault.None), ("\\ufffe", JsonFault.None),
        ("\\ud800x", JsonFault.UnpairedSurrogate), ("\\udc00", JsonFault.UnpairedSurrogate),
        ("\\udc00\\ud800x", JsonFault.UnpairedSurrogate), ("\\u0000", JsonFault.Nul),
    ];

    // Keys of a small pool, with the key each spells (so that "a" and "\u0061" are the same key), and so duplicates.
    private static readonly (string Text, string Key)[] PoolKeys =
    [
        ("", ""), ("a", "a"), ("\\u0061", "a"), ("b", "b"), ("é", "é"), ("\\u00e9", "é"), ("😀", "😀"), ("\\ud83d\\ude00", "😀"),
    ];

    private static readonly (string Text, JsonFault Fault)[] NumberEdges =
    [
        ("9223372036854775807", JsonFault.None), ("-9223372036854775808", JsonFault.None), ("-0", JsonFault.None), ("0", JsonFault.None),
        ("9223372036854775808", JsonFault.IntegerTooLarge), ("-9223372036854775809", JsonFault.IntegerTooLarge),
        ("18446744073709551615", JsonFault.IntegerTooLarge), ("1000000000000000000000000000000", JsonFault.IntegerTooLarge),
        ("1.7976931348623157e308", JsonFault.None), ("-1.7976931348623157E+308", JsonFault.None), ("5e-324", JsonFault.None),
        ("4.9e-324", JsonFault.None), ("1e-400", JsonFault.None), ("-0.0", JsonFault.None), ("1.0", JsonFault.None),
        ("1E+2", JsonFault.None), ("2.50", JsonFault.None), ("0.1", JsonFault.None), ("1e19", JsonFault.None),
        ("123456789012345678901234567890.5", JsonFault.None), ("9223372036854775808.0", JsonFault.None),
        ("1.7976931348623159e308", JsonFault.NumberTooLarge), ("1e400", JsonFault.NumberTooLarge), ("-2E+308", JsonFault.NumberTooLarge),
    ];

    private static readonly Gen<JsonCase> Literal =
        Gen.OneOf(new JsonCase("null", 0, JsonFault.None), new JsonCase("true", 0, JsonFault.None), new JsonCase("false", 0, JsonFault.None));

    private static readonly Gen<JsonCase> Number = Gen.Frequency(
        (2, Gen.Long.Select(n => new JsonCase(n.ToString(CultureInfo.InvariantCulture), 0, JsonFault.None))),
        (2, Gen.Double.Where(double.IsFinite).Select(d => new JsonCase(d.ToString("R", CultureInfo.InvariantCulture), 0, JsonFault.None))),
        (3, Gen.OneOf(NumberEdges).Select(e => new JsonCase(e.Text, 0, e.Fault))));

    /// <summary>A string's text (without quotes) and its faults; faulty pieces are rarer than good ones.</summary>
    private static readonly Gen<(string Text, JsonFault Fault)> StringText =
        Gen.Frequency(StringPieces.Select(p => (p.Fault == JsonFault.None ? 12 : 1, p)).ToArray()).Array[0, 4]
            .Select(pieces => (string.Concat(pieces.Select(p => p.Text)), pieces.Aggregate(JsonFault.None, (f, p) => f | p.Fault)));

    private static readonly Gen<JsonCase> String = StringText.Select(s => new JsonCase($"\"{s.Text}\"", 0, s.Fault));

    private static readonly Gen<JsonCase> Scalar = Gen.Frequency((1, Literal), (3, Number), (3, String));

    /// <summary>The values of the property test: mostly small trees, some chains nested around the depth limit.</summary>
    public static readonly Gen<JsonCase> Values = Gen.Frequency((5, Tree(3)), (2, Chain));

    private static Gen<JsonCase> Chain =>
        Gen.Select(Tree(1), Gen.Int[26, 38], Gen.Bool, (inner, levels, asObjects) =>
        {
            var text = inner.Text;
            for (var i = 0; i < levels; i++)
            {
                text = asObjects && i % 2 == 0 ? $"{{\"k\":{text}}}" : $"[{text}]";
            }
            return inner with { Text = text, Depth = inner.Depth + levels };
        });

    private static Gen<JsonCase> Tree(int size) =>
        size == 0 ? Scalar : Gen.Frequency((3, Scalar), (2, Array(size - 1)), (2, Object(size - 1)));

    private static Gen<JsonCase> Array(int size) =>
        Tree(size).Array[0, 4].Select(items => new JsonCase(
            "[" + string.Join(",", items.Select(i => i.Text)) + "]",
            1 + items.Select(i => i.Depth).DefaultIfEmpty(0).Max(),
            items.Aggregate(JsonFault.None, (f, i) => f | i.Faults)));

    private static Gen<JsonCase> Object(int size) =>
        Gen.Select(Key, Tree(size)).Array[0, 4].Select(members =>
        {
            var faults = JsonFault.None;
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var texts = new List<string>();
            for (var i = 0; i < members.Length; i++)
            {
                var ((keyText, key, keyFault), value) = members[i];
                // A key from outside the pool is made unique by its position (pool keys never start with a digit).
                (keyText, key) = key is null ? ($"{i}{keyText}", $"{i}{keyText}") : (keyText, key);
                faults |= keyFault | value.Faults | (keys.Add(key) ? JsonFault.None : JsonFault.DuplicateKey);
                texts.Add($"\"{keyText}\":{value.Text}");
            }
            return new JsonCase("{" + string.Join(",", texts) + "}", 1 + members.Select(m => m.Item2.Depth).DefaultIfEmpty(0).Max(), faults);
        });

    /// <summary>A key: its text, the key it spells when it is from the pool (else null: unique), and its faults.</summary>
    private static Gen<(string Text, string? Key, JsonFault Fault)> Key => Gen.Frequency(
        (2, Gen.OneOf(PoolKeys).Select(k => (k.Text, (string?)k.Key, JsonFault.None))),
        (3, StringText.Select(s => (s.Text, (string?)null, s.Fault))));
}
