using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Zaqar.Data.Pools;

namespace Zaqar.Hub.Pools;

/// <summary>Rules of <see cref="PoolingOptions"/> beyond ranges; checked at start.</summary>
public sealed partial class PoolingOptionsValidation : IValidateOptions<PoolingOptions>
{
    // PostgreSQL truncates identifiers to 63 bytes: a longer name would LISTEN on another channel than pg_notify sends on.
    private const int MaxChannelBytes = 63;

    public ValidateOptionsResult Validate(string? name, PoolingOptions o) =>
        o.Channel is null || !ChannelName().IsMatch(o.Channel) || Encoding.UTF8.GetByteCount(o.Channel) > MaxChannelBytes
            ? ValidateOptionsResult.Fail($"Pools:Channel must be 1 to {MaxChannelBytes} letters, digits or underscores, starting with a letter or underscore.")
            : ValidateOptionsResult.Success;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ChannelName();
}
