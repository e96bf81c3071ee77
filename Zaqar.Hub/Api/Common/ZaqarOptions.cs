using System.ComponentModel.DataAnnotations;

namespace Zaqar.Hub.Api;

/// <summary>How strictly Client-ID is checked (Zaqar's <c>client_id_uuid_safe</c>).</summary>
public enum ClientIdMode
{
    /// <summary>Client-ID must be a UUID.</summary>
    Strict,

    /// <summary>Client-ID is any string of <see cref="ZaqarOptions.MinLengthClientId"/>..<see cref="ZaqarOptions.MaxLengthClientId"/> characters.</summary>
    Off,
}

/// <summary>
/// Limits and defaults of the API (Zaqar's <c>[transport]</c> group), bound from the "Zaqar" section.
/// Both transports read the same instance through the common API layer.
/// </summary>
public sealed class ZaqarOptions
{
    public const string SectionName = "Zaqar";

    [Range(60, int.MaxValue)] public int DefaultMessageTtl { get; set; } = 3600;

    [Range(0, int.MaxValue)] public int DefaultMessageDelay { get; set; }

    [Range(60, int.MaxValue)] public int DefaultClaimTtl { get; set; } = 300;

    [Range(60, int.MaxValue)] public int DefaultClaimGrace { get; set; } = 60;

    [Range(60, int.MaxValue)] public int DefaultSubscriptionTtl { get; set; } = 3600;

    [Range(1, 1000)] public int MaxQueuesPerPage { get; set; } = 20;

    [Range(1, 1000)] public int MaxMessagesPerPage { get; set; } = 20;

    [Range(1, 1000)] public int MaxSubscriptionsPerPage { get; set; } = 20;

    [Range(1, 1000)] public int MaxMessagesPerClaimOrPop { get; set; } = 20;

    [Range(1, 1000)] public int MaxPoolsPerPage { get; set; } = 20;

    [Range(1, 1000)] public int MaxFlavorsPerPage { get; set; } = 20;

    [Range(1, int.MaxValue)] public int MaxQueueMetadata { get; set; } = 64 * 1024;

    [Range(1, int.MaxValue)] public int MaxMessagesPostSize { get; set; } = 256 * 1024;

    [Range(60, int.MaxValue)] public int MaxMessageTtl { get; set; } = 1209600;

    [Range(0, int.MaxValue)] public int MaxMessageDelay { get; set; } = 900;

    [Range(60, int.MaxValue)] public int MaxClaimTtl { get; set; } = 43200;

    [Range(60, int.MaxValue)] public int MaxClaimGrace { get; set; } = 43200;

    public ClientIdMode ClientIdUuidSafe { get; set; } = ClientIdMode.Strict;

    [Range(1, 64)] public int MinLengthClientId { get; set; } = 10;

    [Range(1, 64)] public int MaxLengthClientId { get; set; } = 36;

    /// <summary>When true, bulk delete by ids also needs claim_ids, and deletes only messages those claims hold.</summary>
    public bool MessageDeleteWithClaimId { get; set; }

    /// <summary>Routes for operators (health; pools and flavors with <c>Pools:Enabled</c>), each still needing the admin role.</summary>
    public bool AdminMode { get; set; } = true;

    /// <summary>Adds an MD5 <c>checksum</c> of each body to message representations (Zaqar's enable_checksum).</summary>
    public bool EnableChecksum { get; set; }

    /// <summary>Subscriber URI schemes accepted (Zaqar's subscriber_types).</summary>
    public string[] SubscriberTypes { get; set; } = ["http", "https", "mailto", "trust+http", "trust+https"];

    /// <summary>How long the post path may reuse a queue's settings before reading them again (a version check keeps them exact).</summary>
    [Range(0, 86400)] public int QueueSettingsCacheSeconds { get; set; } = 60;

    /// <summary>How many queues' settings the post path keeps in memory.</summary>
    [Range(1, 10_000_000)] public int QueueSettingsCacheEntries { get; set; } = 100_000;

    /// <summary>How long an idle consume stream waits for a post before it looks again (delays ending, missed wake-ups).</summary>
    [Range(0.05, 3600)] public double ConsumePollSeconds { get; set; } = 2;

    /// <summary>Key material for <c>_enable_encrypt_messages</c> queues (AES-256; the key is SHA-256 of this text).</summary>
    public string MessageEncryptionKey { get; set; } = "AES256";
}
