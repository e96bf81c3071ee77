using System.Diagnostics;
using Zaqar.Hub.Telemetry;

namespace Zaqar.Hub.Cluster;

/// <summary>
/// The cluster's spans (issue 15): announcing posts to the other nodes, and another node reading them back to push. Each
/// is a span of its own, linked to the traces of the posts it carries (a NOTIFY carries many posts, so no post is its
/// parent).
/// </summary>
internal static class ClusterTracing
{
    /// <summary>The span, or null when nobody listens or none of <paramref name="announcements"/> was traced.</summary>
    public static Activity? Start(string name, ActivityKind kind, IEnumerable<Announcement> announcements)
    {
        if (!ZaqarTelemetry.Source.HasListeners())
        {
            return null;
        }
        var links = announcements.Where(a => a.Trace != default).Select(a => new ActivityLink(a.Trace)).ToList();
        if (links.Count == 0)
        {
            return null;
        }
        var span = ZaqarTelemetry.Source.StartActivity(name, kind, parentContext: default, links: links);
        span?.SetTag(ZaqarTelemetry.SystemAttribute, ZaqarTelemetry.MessagingSystem);
        span?.SetTag(ZaqarTelemetry.BatchCountAttribute, links.Count);
        return span;
    }
}
