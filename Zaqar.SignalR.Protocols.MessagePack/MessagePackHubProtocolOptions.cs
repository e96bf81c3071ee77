using System.Text.Json;

namespace Zaqar.SignalR.Protocols.MessagePack;

/// <summary>
/// Options for <see cref="MessagePackHubProtocol"/>: the System.Text.Json contract that names members, and the limits that
/// every incoming frame is checked against before anything is bound.
/// </summary>
/// <remarks>
/// Configure through <c>AddZaqarMessagePackProtocol(o =&gt; ...)</c>. The protocol reads the values once, when the singleton
/// is created; changing an instance afterwards has no effect. Not thread-safe while being configured; read-only afterwards.
/// A frame that breaks a limit makes <c>TryParseMessage</c> throw <see cref="InvalidDataException"/>, which makes SignalR
/// close that one connection with the error.
/// </remarks>
public sealed class MessagePackHubProtocolOptions
{
    /// <summary>The default for <see cref="MaxDepth"/>.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>The highest <see cref="MaxDepth"/> accepted: reading recurses once per level, so it must stay bounded.</summary>
    public const int MaxDepthLimit = 256;

    /// <summary>The default for <see cref="MaxFrameSize"/> (1 MiB).</summary>
    public const int DefaultMaxFrameSize = 1024 * 1024;

    /// <summary>The default for <see cref="MaxStringLength"/> (256 KiB of UTF-8).</summary>
    public const int DefaultMaxStringLength = 256 * 1024;

    /// <summary>The default for <see cref="MaxBinaryLength"/> (1 MiB).</summary>
    public const int DefaultMaxBinaryLength = 1024 * 1024;

    /// <summary>The default for <see cref="MaxCollectionLength"/>.</summary>
    public const int DefaultMaxCollectionLength = 65_536;

    /// <summary>
    /// The System.Text.Json options whose contract (property names, naming policy, ignore conditions, converters) drives
    /// object mapping. <see langword="null"/> (the default) means the JSON hub protocol's
    /// <c>JsonHubProtocolOptions.PayloadSerializerOptions</c>, so one DTO has the same keys in both protocols.
    /// </summary>
    public JsonSerializerOptions? SerializerOptions { get; set; }

    /// <summary>
    /// The deepest nesting of arrays and maps allowed in a frame, counting the message's own array as level 1.
    /// Default 64, at most <see cref="MaxDepthLimit"/>.
    /// </summary>
    public int MaxDepth { get; set; } = DefaultMaxDepth;

    /// <summary>The largest frame (the length its prefix declares), in bytes. Default 1 MiB.</summary>
    public int MaxFrameSize { get; set; } = DefaultMaxFrameSize;

    /// <summary>The longest string (map keys included), in UTF-8 bytes. Default 256 KiB.</summary>
    public int MaxStringLength { get; set; } = DefaultMaxStringLength;

    /// <summary>The longest bin or ext payload, in bytes. Default 1 MiB.</summary>
    public int MaxBinaryLength { get; set; } = DefaultMaxBinaryLength;

    /// <summary>The most elements in one array, or entries in one map. Default 65,536.</summary>
    public int MaxCollectionLength { get; set; } = DefaultMaxCollectionLength;

    /// <summary>Returns a description of the first invalid setting, or <see langword="null"/> when all are valid.</summary>
    internal string? GetValidationError()
    {
        if (MaxDepth is < 2 or > MaxDepthLimit)
        {
            return $"{nameof(MaxDepth)} must be between 2 and {MaxDepthLimit}; it is {MaxDepth}.";
        }

        // 5 bytes is the smallest frame that carries a useful message; anything smaller is a configuration mistake.
        if (MaxFrameSize < 16)
        {
            return $"{nameof(MaxFrameSize)} must be at least 16 bytes; it is {MaxFrameSize}.";
        }

        if (MaxStringLength < 1)
        {
            return $"{nameof(MaxStringLength)} must be positive; it is {MaxStringLength}.";
        }

        if (MaxBinaryLength < 1)
        {
            return $"{nameof(MaxBinaryLength)} must be positive; it is {MaxBinaryLength}.";
        }

        return MaxCollectionLength < 1 ? $"{nameof(MaxCollectionLength)} must be positive; it is {MaxCollectionLength}." : null;
    }
}
