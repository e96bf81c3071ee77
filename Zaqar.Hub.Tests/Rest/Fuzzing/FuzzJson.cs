using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>
/// A JSON document as text pieces, so the fuzzer can write what System.Text.Json would refuse to write: duplicate and
/// empty keys, lone surrogate escapes, NUL escapes, numbers past double and int64. Mutable: mutations edit it in place.
/// </summary>
public abstract class JVal
{
    /// <summary>
    /// Past this many characters, containers stop writing their items: mutations compound (a 1 MB string in an array
    /// resized to 1,000), and a body twice the service's limit tells it nothing more than one at the limit.
    /// </summary>
    public const int MaxText = 2 * 1024 * 1024;

    public abstract void Write(StringBuilder text);

    public abstract JVal Clone();

    public override string ToString()
    {
        var text = new StringBuilder();
        Write(text);
        return text.ToString();
    }

    /// <summary>A string value (escaped as JSON escapes it).</summary>
    public static JLit Str(string value) => new(JsonSerializer.Serialize(value));

    public static JLit Num(long value) => new(value.ToString(CultureInfo.InvariantCulture));

    public static JObj Obj(params (string Key, JVal Value)[] members) => new([.. members.Select(m => new JMember(Str(m.Key).Text, m.Value))]);

    public static JArr Arr(params JVal[] items) => new([.. items]);

    public static readonly JLit True = new("true");
    public static readonly JLit Null = new("null");
}

/// <summary>A key (its JSON text, quotes included) and its value.</summary>
public sealed record JMember(string KeyText, JVal Value);

public sealed class JObj(List<JMember> members) : JVal
{
    public List<JMember> Members { get; } = members;

    public override void Write(StringBuilder text)
    {
        text.Append('{');
        for (var i = 0; i < Members.Count && text.Length < MaxText; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(Members[i].KeyText).Append(':');
            Members[i].Value.Write(text);
        }
        text.Append('}');
    }

    public override JVal Clone() => new JObj([.. Members.Select(m => m with { Value = m.Value.Clone() })]);
}

public sealed class JArr(List<JVal> items) : JVal
{
    public List<JVal> Items { get; } = items;

    public override void Write(StringBuilder text)
    {
        text.Append('[');
        for (var i = 0; i < Items.Count && text.Length < MaxText; i++)
        {
            text.Append(i == 0 ? "" : ",");
            Items[i].Write(text);
        }
        text.Append(']');
    }

    public override JVal Clone() => new JArr([.. Items.Select(v => v.Clone())]);
}

/// <summary>A scalar as its JSON text: a number, true, false, null, or a string with its quotes.</summary>
public sealed class JLit(string text) : JVal
{
    public string Text { get; } = text;

    public override void Write(StringBuilder text) => text.Append(Text);

    public override JVal Clone() => this;
}

/// <summary>Random JSON values, and the edge values of each class of JSON content (issue 10).</summary>
public static class FuzzValues
{
    /// <summary>Numbers at and past the limits of int32, int64 and double, and forms parsers disagree on.</summary>
    public static readonly string[] EdgeNumbers =
    [
        "-0", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890",
        "1.7976931348623157e308", "1e309", "-1e309", "4.9e-324", "1e-400", "60.0", "60.5", "1E2", "1e+2", "-0.0", "1e2",
        "3600.000000000000000001", "1" + new string('0', 400),
    ];

    /// <summary>String contents past plain text: lone and reversed surrogates, NUL and controls, non-characters, BOM, bidi.</summary>
    public static readonly string[] EdgeStringEscapes =
    [
        @"\ud800", @"\udc00", @"\udc00\ud800", @"\ud83d", @"\u0000", @"a\u0000b", @"\u0001\u001f", @"\uffff", @"\ufffe",
        @"\ufeff", @"\u202e", @"\u2028\u2029", "\ud83d\ude00", "é", "e\u0301", "\u4e2d\u6587", @"\\", @"\""", "%00", "\t",
    ];

    /// <summary>A random JSON value of depth at most <paramref name="depth"/>, of plain content.</summary>
    public static JVal Random(Random random, int depth = 3)
    {
        switch (random.Next(depth <= 0 ? 5 : 7))
        {
            case 0: return JVal.Str(Word(random));
            case 1: return JVal.Num(random.Next(-1000, 100000));
            case 2: return new JLit(random.Next(2) == 0 ? "true" : "false");
            case 3: return JVal.Null;
            case 4: return new JLit((random.NextDouble() * 1000).ToString("R", CultureInfo.InvariantCulture));
            case 5:
                return new JArr([.. Enumerable.Range(0, random.Next(4)).Select(_ => Random(random, depth - 1))]);
            default:
                return new JObj([.. Enumerable.Range(0, random.Next(4)).Select(i => new JMember(JVal.Str(Word(random) + i).Text, Random(random, depth - 1)))]);
        }
    }

    public static string Word(Random random) =>
        new([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ => (char)('a' + random.Next(26)))]);

    /// <summary>Every node of <paramref name="root"/>, pre-order, with the container and index that hold it (none for the root).</summary>
    public static List<(JVal Node, JVal? Parent, int Index)> Nodes(JVal root)
    {
        var nodes = new List<(JVal, JVal?, int)>();
        void Walk(JVal node, JVal? parent, int index)
        {
            nodes.Add((node, parent, index));
            switch (node)
            {
                case JObj o:
                    for (var i = 0; i < o.Members.Count; i++)
                    {
                        Walk(o.Members[i].Value, o, i);
                    }
                    break;
                case JArr a:
                    for (var i = 0; i < a.Items.Count; i++)
                    {
                        Walk(a.Items[i], a, i);
                    }
                    break;
            }
        }
        Walk(root, null, -1);
        return nodes;
    }

    /// <summary>
    /// Replaces the node at <paramref name="pick"/> (modulo the count) among those <paramref name="where"/> admits (all by
    /// default) with what <paramref name="make"/> builds from it; returns the root (a new one when the root was replaced).
    /// </summary>
    public static JVal Replace(JVal root, int pick, Func<JVal, JVal> make, Func<JVal, bool>? where = null)
    {
        var nodes = Nodes(root).Where(n => where?.Invoke(n.Node) ?? true).ToList();
        if (nodes.Count == 0)
        {
            return root;
        }
        var (node, parent, index) = nodes[pick % nodes.Count];
        var replacement = make(node);
        switch (parent)
        {
            case JObj o:
                o.Members[index] = o.Members[index] with { Value = replacement };
                return root;
            case JArr a:
                a.Items[index] = replacement;
                return root;
            default:
                return replacement;
        }
    }

    /// <summary>The objects of <paramref name="root"/> (pre-order), for key mutations.</summary>
    public static List<JObj> Objects(JVal root) => [.. Nodes(root).Select(n => n.Node).OfType<JObj>()];

    /// <summary><paramref name="inner"/> wrapped in <paramref name="levels"/> arrays or objects.</summary>
    public static JVal Nest(JVal inner, int levels, bool objects)
    {
        var value = inner;
        for (var i = 0; i < levels; i++)
        {
            value = objects ? new JObj([new JMember("\"n\"", value)]) : new JArr([value]);
        }
        return value;
    }
}
