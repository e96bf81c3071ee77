using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Cluster;

/// <summary>
/// Several service processes on one PostgreSQL (issue #4), bound from the "Cluster" section: how a node tells the
/// others about its posts (NOTIFY) and how it learns of theirs (LISTEN, with polling as the fallback).
/// </summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>
    /// Run as one node of several: announce posts, listen for other nodes' posts and hand them to this node's push
    /// subscribers and consume streams, polling as the fallback. Off: the node neither announces nor listens and sees
    /// only its own posts (a single-node deployment saves a connection, a NOTIFY per batch of posts and a poll).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Announce this node's posts to the other nodes (one NOTIFY per batch of posts, after commit). Off: the others
    /// still see them, by polling (a node that only ingests, or a test of the fallback).
    /// </summary>
    public bool Publish { get; set; } = true;

    /// <summary>The NOTIFY channel; every node of one service must use the same. An identifier of at most 63 bytes.</summary>
    [Required] public string Channel { get; set; } = "zaqarhub_posts";

    /// <summary>How often a node looks for posts it was not told about (lost notifications, listener down).</summary>
    [Range(50, 600_000)] public int PollIntervalMilliseconds { get; set; } = 1500;

    /// <summary>First wait before reconnecting a lost listener; doubled per failed attempt up to the maximum.</summary>
    [Range(10, 60_000)] public int ReconnectMinDelayMilliseconds { get; set; } = 250;

    [Range(10, 600_000)] public int ReconnectMaxDelayMilliseconds { get; set; } = 10_000;

    /// <summary>An idle listener checks its connection this often (a lost peer is otherwise noticed only by TCP).</summary>
    [Range(1, 3600)] public int ListenKeepAliveSeconds { get; set; } = 15;

    /// <summary>
    /// Least time between two NOTIFY transactions of this node (issue 14). A post after a quiet spell is announced at
    /// once; under load the posts of each interval go in one NOTIFY, which saves PostgreSQL a transaction and every
    /// listening node a wake-up per batch of posts, for at most this much latency on the other nodes. 0: back to back.
    /// </summary>
    [Range(0, 1000)] public int PublishIntervalMilliseconds { get; set; } = 5;

    /// <summary>Posts waiting to be announced; past this, announcements are dropped (the other nodes' polling finds them).</summary>
    [Range(1, 10_000_000)] public int PublishBufferPosts { get; set; } = 10_000;

    /// <summary>Largest NOTIFY payload sent; PostgreSQL's limit is 8000 bytes. More announcements go in more payloads.</summary>
    [Range(2048, 7900)] public int MaxPayloadBytes { get; set; } = 4000;

    /// <summary>
    /// Let small posts' messages ride in the NOTIFY that announces them (issue 14 item 4): a listening node then pushes
    /// them without reading them back, one database round trip less between a post on one node and its push on another.
    /// Only while a round's announcements fit one payload of <see cref="MaxPayloadBytes"/> (under load they are
    /// positions only, as with this off), so the notification traffic stays bounded. Encrypted bodies travel encrypted.
    /// </summary>
    public bool InlineMessages { get; set; } = true;

    /// <summary>Messages read per queue per round trip when relaying; more are read in further round trips.</summary>
    [Range(1, 100_000)] public int ReadBatchSize { get; set; } = 1000;
}

/// <summary>Rules of <see cref="ClusterOptions"/> beyond ranges; checked at start.</summary>
public sealed partial class ClusterOptionsValidation : IValidateOptions<ClusterOptions>
{
    // PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes: a longer name would LISTEN on another channel
    // than pg_notify sends on.
    private const int MaxChannelBytes = 63;

    public ValidateOptionsResult Validate(string? name, ClusterOptions o)
    {
        var failures = new List<string>();
        if (o.Channel is null || !ChannelName().IsMatch(o.Channel) || Encoding.UTF8.GetByteCount(o.Channel) > MaxChannelBytes)
        {
            failures.Add($"Cluster:Channel must be 1 to {MaxChannelBytes} letters, digits or underscores, starting with a letter or underscore.");
        }
        if (o.ReconnectMinDelayMilliseconds > o.ReconnectMaxDelayMilliseconds)
        {
            failures.Add("Cluster:ReconnectMinDelayMilliseconds must not exceed Cluster:ReconnectMaxDelayMilliseconds.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ChannelName();
}
