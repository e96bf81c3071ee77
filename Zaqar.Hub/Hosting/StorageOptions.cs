using System.ComponentModel.DataAnnotations;

namespace Zaqar.Hub.Hosting;

/// <summary>Storage housekeeping, bound from the "Storage" section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Apply pending EF Core migrations before the service starts answering.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Run the expiry sweeper (expired rows are invisible at once either way; this reclaims space).</summary>
    public bool SweepEnabled { get; set; } = true;

    [Range(1, 86400)] public int SweepIntervalSeconds { get; set; } = 30;

    [Range(1, 100000)] public int SweepBatchSize { get; set; } = 5000;
}
