using System.Globalization;
using System.Text.Json;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// "Read back identically", as the README defines it for issue 10: the same structure, keys (in order, unless the value
/// went through jsonb) and strings; an integer literal reads back as the same int64 integer, any other number as the
/// same double (MessagePack carries it as one; jsonb documents keep the double's plain decimal).
/// </summary>
internal static class ReadBack
{
    /// <summary>Fails, saying where and how, unless <paramref name="actual"/> reads back as <paramref name="sent"/>.</summary>
    public static void AssertSame(string sent, string actual, string reader, bool keysInAnyOrder = false)
    {
        using var expected = JsonDocument.Parse(sent, new JsonDocumentOptions { MaxDepth = 256 });
        using var got = JsonDocument.Parse(actual, new JsonDocumentOptions { MaxDepth = 256 });
        if (Difference(expected.RootElement, got.RootElement, "$", keysInAnyOrder) is { } difference)
        {
            Assert.Fail($"{reader} read back {actual} for {sent}: {difference}");
        }
    }

    private static string? Difference(JsonElement sent, JsonElement read, string path, bool keysInAnyOrder)
    {
        if (sent.ValueKind != read.ValueKind)
        {
            return $"{path} is {read.ValueKind}, not {sent.ValueKind}";
        }
        switch (sent.ValueKind)
        {
            case JsonValueKind.String:
                return sent.GetString() == read.GetString() ? null : $"{path} differs";
            case JsonValueKind.Number:
                return SameNumber(sent, read) ? null : $"{path} is {read.GetRawText()}, not {sent.GetRawText()}";
            case JsonValueKind.Array:
                var items = (Sent: sent.EnumerateArray().ToList(), Read: read.EnumerateArray().ToList());
                if (items.Sent.Count != items.Read.Count)
                {
                    return $"{path} has {items.Read.Count} items, not {items.Sent.Count}";
                }
                return items.Sent.Zip(items.Read).Select((p, i) => Difference(p.First, p.Second, $"{path}[{i}]", keysInAnyOrder)).FirstOrDefault(d => d is not null);
            case JsonValueKind.Object:
                var sentMembers = sent.EnumerateObject().ToList();
                var readMembers = read.EnumerateObject().ToList();
                if (keysInAnyOrder)
                {
                    sentMembers = [.. sentMembers.OrderBy(m => m.Name, StringComparer.Ordinal)];
                    readMembers = [.. readMembers.OrderBy(m => m.Name, StringComparer.Ordinal)];
                }
                if (!sentMembers.Select(m => m.Name).SequenceEqual(readMembers.Select(m => m.Name), StringComparer.Ordinal))
                {
                    return $"{path} has keys [{string.Join(",", readMembers.Select(m => m.Name))}], not [{string.Join(",", sentMembers.Select(m => m.Name))}]";
                }
                return sentMembers.Zip(readMembers).Select(p => Difference(p.First.Value, p.Second.Value, $"{path}.{p.First.Name}", keysInAnyOrder))
                    .FirstOrDefault(d => d is not null);
            default:
                return null;
        }
    }

    private static bool SameNumber(JsonElement sent, JsonElement read)
    {
        var raw = sent.GetRawText();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            return read.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0 && read.TryGetInt64(out var n) && n == long.Parse(raw, CultureInfo.InvariantCulture);
        }
        return read.TryGetDouble(out var d) && d == double.Parse(raw, CultureInfo.InvariantCulture);
    }
}
