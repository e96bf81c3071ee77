using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Zaqar.Data;
using Zaqar.Hub.Rest.OpenApi;

namespace Zaqar.Hub.Hosting;

/// <summary>
/// Liveness and readiness for orchestrators (issue 15), with ASP.NET Core's health checks, apart from Zaqar's own
/// /v2/ping and /v2/health: <see cref="LivePath"/> answers while the process serves requests (no database asked);
/// <see cref="ReadyPath"/> runs the checks tagged ready (the host is not stopping, the primary database answers with every
/// migration applied, each pool answers, the cluster's listen connections are open). 200 when healthy, 503 when not, with
/// a JSON body of each check's status. No authentication, and nothing about any tenant in the body.
/// </summary>
public static class HealthHostingExtensions
{
    public const string Prefix = "/health";
    public const string LivePath = Prefix + "/live";
    public const string ReadyPath = Prefix + "/ready";
    private const string ReadyTag = "ready";

    /// <summary>How long a readiness check may take before it counts as failed: under common probe timeouts (HAProxy's check
    /// interval here, Kubernetes' timeoutSeconds is 1 by default and often raised to a few seconds).</summary>
    internal static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The OpenAPI tag of the probes and the scrape (issue 15).</summary>
    internal const string Probes = "Operations";

    /// <summary>Probes and scrapes read: their endpoints serve GET only.</summary>
    internal static readonly HttpMethodMetadata Get = new([HttpMethods.Get]);

    public static IServiceCollection AddZaqarHealthChecks(this IServiceCollection services)
    {
        // EF Core's check takes a context from the container; the service's contexts come from its pooled factory.
        services.TryAddScoped(sp => sp.GetRequiredService<IDbContextFactory<ZaqarDbContext>>().CreateDbContext());
        services.AddHealthChecks()
            .AddCheck<StoppingHealthCheck>("host", tags: [ReadyTag])
            .AddDbContextCheck<ZaqarDbContext>("database", tags: [ReadyTag], customTestQuery: MigratedAsync)
            .AddCheck<PoolsHealthCheck>("pools", tags: [ReadyTag])
            .AddCheck<ClusterListenerHealthCheck>("cluster_listener", tags: [ReadyTag]);
        // Issue 16: a database behind a network partition loses packets rather than refusing them, and a check waiting on
        // it would wait for Npgsql's timeouts (15 s to connect, 30 s per command): the probe must answer before the
        // orchestrator's or the balancer's own timeout, so every check has a bound and times out unhealthy.
        // A registration's own Timeout only cancels the check's token, and a check blocked where cancellation is not
        // honoured (a pooled connection's read) is still awaited: each check is wrapped to stop waiting for it.
        services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var check in options.Registrations)
            {
                var create = check.Factory;
                check.Factory = sp => new BoundedHealthCheck(sp.GetRequiredService<IServiceScopeFactory>(), create, CheckTimeout);
            }
        });
        return services;
    }

    public static WebApplication MapZaqarHealth(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .WithMetadata(Get, new PipelineEndpointDoc(Probes, "getLiveness", "Liveness: the process serves requests", "application/json", 200));
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .WithMetadata(Get, new PipelineEndpointDoc(Probes, "getReadiness", "Readiness: database, pools and cluster listener", "application/json", 200, 503));
        return app;
    }

    /// <summary>The primary database answers and holds every migration this build knows (none pending).</summary>
    private static async Task<bool> MigratedAsync(ZaqarDbContext db, CancellationToken ct) =>
        await db.Database.CanConnectAsync(ct) && !(await db.Database.GetPendingMigrationsAsync(ct)).Any();

    /// <summary>
    /// <c>{"status": "healthy", "checks": {"database": {"status": ..., "description": ..., "data": {...}}, ...}}</c>;
    /// an exception's text is never shown (it may name hosts), only the check's own description.
    /// </summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var checks = report.Entries.ToDictionary(e => e.Key, e => new
        {
            status = Words(e.Value.Status),
            description = e.Value.Description ?? (e.Value.Status == HealthStatus.Healthy ? null : "The check failed."),
            data = e.Value.Data.Count == 0 ? null : e.Value.Data,
        });
        return JsonSerializer.SerializeAsync(http.Response.Body, new { status = Words(report.Status), checks }, cancellationToken: http.RequestAborted);
    }

    private static string Words(HealthStatus status) => status.ToString().ToLowerInvariant();
}
