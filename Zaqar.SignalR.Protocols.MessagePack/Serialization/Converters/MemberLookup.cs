using System.Buffers;
using System.Text;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary>
/// Finds the member an incoming map key names, liberally: first an exact match on the JSON name or the C# name, then a
/// match that ignores case and underscores, so <c>claim_id</c>, <c>claimId</c> and <c>ClaimId</c> all find the member
/// whose JSON name is <c>claim_id</c>. A normalized form shared by two members matches neither (only exact keys do).
/// </summary>
/// <remarks>Immutable and thread-safe; lookups decode the key onto the stack and do not allocate.</remarks>
internal sealed class MemberLookup
{
    private const int Ambiguous = -2;
    private const int StackLimit = 256;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _normalized;
    private readonly int _longestNormalized;

    public MemberLookup(IReadOnlyList<PocoMember> members)
    {
        var exact = new Dictionary<string, int>(StringComparer.Ordinal);
        var normalized = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < members.Count; i++)
        {
            exact[members[i].Name] = i;
            AddNormalized(normalized, members[i].Name, i);
        }

        // C# names come second so they never shadow a JSON name; they help .NET clients that send PascalCase.
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].ClrName is { } clrName)
            {
                exact.TryAdd(clrName, i);
                AddNormalized(normalized, clrName, i);
            }
        }

        _exact = exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _normalized = normalized.GetAlternateLookup<ReadOnlySpan<char>>();
        _longestNormalized = normalized.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max();
    }

    /// <summary>Returns the member index for a UTF-8 key, or -1 when no member matches.</summary>
    public int Find(ReadOnlySpan<byte> utf8Key)
    {
        var maxChars = Encoding.UTF8.GetMaxCharCount(utf8Key.Length);
        char[]? rented = null;
        var chars = maxChars <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(maxChars));
        try
        {
            var key = chars[..Encoding.UTF8.GetChars(utf8Key, chars)];
            if (_exact.TryGetValue(key, out var index))
            {
                return index;
            }

            var length = Normalize(key, key);
            return length <= _longestNormalized && _normalized.TryGetValue(key[..length], out index) && index != Ambiguous
                ? index
                : -1;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static void AddNormalized(Dictionary<string, int> normalized, string name, int index)
    {
        var buffer = name.ToCharArray();
        var key = new string(buffer, 0, Normalize(buffer, buffer));
        if (!normalized.TryAdd(key, index) && normalized[key] != index)
        {
            normalized[key] = Ambiguous;
        }
    }

    /// <summary>Lower-cases and drops underscores and hyphens, in place; returns the new length.</summary>
    private static int Normalize(ReadOnlySpan<char> source, Span<char> destination)
    {
        var length = 0;
        foreach (var c in source)
        {
            if (c is not ('_' or '-'))
            {
                destination[length++] = char.ToLowerInvariant(c);
            }
        }

        return length;
    }
}
