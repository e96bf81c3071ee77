using System.ComponentModel.DataAnnotations;

namespace Zaqar.Hub.Hosting;

/// <summary>How a node stops ("Shutdown"; issue 15): on SIGTERM it drains for at most this long, then leaves.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// The host's shutdown timeout: how long REST requests in flight and notification deliveries in flight may take to
    /// finish once the node is stopping. Deliveries get this less <see cref="ReleaseAllowance"/>, left for handing back
    /// the ones that did not finish.
    /// </summary>
    [Range(1, 3600)] public double DrainSeconds { get; set; } = 20;

    /// <summary>The part of the drain kept for releasing what did not finish (notification leases).</summary>
    public static readonly TimeSpan ReleaseAllowance = TimeSpan.FromSeconds(2);

    /// <summary>How long deliveries in flight may run on after the node began stopping.</summary>
    public TimeSpan DeliveryDrain => TimeSpan.FromSeconds(Math.Max(0, DrainSeconds - ReleaseAllowance.TotalSeconds));
}
