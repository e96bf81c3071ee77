using System.ComponentModel.DataAnnotations;

namespace Zaqar.Hub.Api;

/// <summary>Limits against abuse, bound from the "Limits" section (issue #6).</summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    /// <summary>Requests (REST) and invocations (hub) a project may make per second, sustained; 0 turns the limit off.</summary>
    [Range(0, 1_000_000)] public int PermitsPerSecond { get; set; } = 2000;

    /// <summary>How many a project may make at once above the sustained rate.</summary>
    [Range(1, 10_000_000)] public int Burst { get; set; } = 4000;

    /// <summary>Hub connections a project may hold at once; 0 turns the cap off.</summary>
    [Range(0, 1_000_000)] public int MaxConnectionsPerProject { get; set; } = 1000;

    /// <summary>The largest HTTP request body the server reads at all (each route has its own, smaller, contract limit).</summary>
    [Range(1024, int.MaxValue)] public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}
