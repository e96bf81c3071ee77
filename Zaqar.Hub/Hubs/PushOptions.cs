using System.ComponentModel.DataAnnotations;

namespace Zaqar.Hub.Hubs;

/// <summary>Settings of the hub and its push, bound from the "Hub" section.</summary>
public sealed class PushOptions
{
    public const string SectionName = "Hub";

    /// <summary>Messages a connection may have waiting to be pushed; past this it is closed (it reads too slowly).</summary>
    [Range(1, 10_000_000)] public int PushBufferMessages { get; set; } = 10_000;

    /// <summary>Body bytes a connection may have waiting to be pushed; past this it is closed.</summary>
    [Range(1024, long.MaxValue)] public long PushBufferBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// How long a connection the server closes (push buffer overflow, expired session) has to read up to the Close message
    /// and leave; past that it is cut without one (issue 10).
    /// </summary>
    [Range(1, 3600)] public int CloseTimeoutSeconds { get; set; } = 30;

    /// <summary>Largest hub message accepted (SignalR's MaximumReceiveMessageSize); room for a full post.</summary>
    [Range(1024, int.MaxValue)] public long MaximumReceiveMessageSize { get; set; } = 1024 * 1024;
}
