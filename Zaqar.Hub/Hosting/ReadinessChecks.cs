using Microsoft.Extensions.Diagnostics.HealthChecks;
using Zaqar.Data;
using Zaqar.Data.Pools;
using Zaqar.Hub.Cluster;

namespace Zaqar.Hub.Hosting;

/// <summary>Not ready once the host is stopping (issue 15): an orchestrator sends no new work to a node on its way out.</summary>
internal sealed class StoppingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("The node is stopping.")
            : HealthCheckResult.Healthy());
}

/// <summary>Each registered pool's database answers (issue 15); data names each pool with "up" or "down".</summary>
internal sealed class PoolsHealthCheck(PoolRegistry pools) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var registered = pools.Pools;
        var answers = await Task.WhenAll(registered.Select(p => AnswersAsync(p.Name, ct)));
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < registered.Count; i++)
        {
            data[registered[i].Name] = answers[i] ? "up" : "down";
        }
        var down = answers.Count(up => !up);
        return down == 0
            ? HealthCheckResult.Healthy(registered.Count == 0 ? "No pools are registered." : null, data)
            : HealthCheckResult.Unhealthy($"{down} of {registered.Count} pools do not answer.", data: data);
    }

    /// <summary>
    /// Whether a pool answers before the check's time is up (issue 16): one that is silent (packets lost, not refused) is
    /// "down" when the check's token is cancelled by its timeout, so the answer still says which pools answered.
    /// </summary>
    private async Task<bool> AnswersAsync(string pool, CancellationToken ct)
    {
        try
        {
            // WaitAsync: a silent connection's read does not end with the token; the ping is left to Npgsql's timeouts.
            return pools.TryGetTarget(pool, out var target) && await ZaqarDatabase.PingAsync(target, ct).WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }
}

/// <summary>
/// The cluster's listen connections are open (issue 15): the primary database's, and each pool's. Without them the node
/// learns of other nodes' posts only by polling. A node that runs alone (Cluster:Enabled off) has none to check.
/// </summary>
internal sealed class ClusterListenerHealthCheck(ClusterListener listener, PoolRegistry pools) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        if (!listener.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The cluster is off: this node runs alone."));
        }
        var targets = pools.Targets;
        var data = targets.ToDictionary(t => t.Label, t => (object)(listener.IsConnected(t) ? "connected" : "disconnected"), StringComparer.Ordinal);
        var down = targets.Count(t => !listener.IsConnected(t));
        return Task.FromResult(down == 0
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy($"{down} of {targets.Count} listen connections are not open.", data: data));
    }
}

/// <summary>
/// A check with a bound (issue 16): its token is cancelled at <paramref name="timeout"/>, and if it has not answered a
/// moment later (a check that does not honour its token), it is left running and reported failed, so the probe answers.
/// The check runs in a scope of its own, disposed when it ends: a check left running still owns what it uses (EF Core's
/// check, its context and a connection being opened), which the probe's scope would otherwise dispose under it.
/// </summary>
internal sealed class BoundedHealthCheck(IServiceScopeFactory scopes, Func<IServiceProvider, IHealthCheck> create, TimeSpan timeout) : IHealthCheck
{
    /// <summary>What a check whose token was cancelled gets to finish (and report what it knows).</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        // On the pool: a check may block before its first await (a multi-host data source learning which host is the
        // primary, on a connection that no longer answers), and the bound must hold from the start.
        var check = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                return await create(scope.ServiceProvider).CheckHealthAsync(context, bounded.Token);
            }
            finally
            {
                bounded.Dispose();
            }
        }, CancellationToken.None);
        try
        {
            return await check.WaitAsync(timeout + Grace, ct);
        }
        catch (TimeoutException)
        {
            // Left running; its end (a failure, most likely) is observed here so it is not reported as unobserved.
            _ = check.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return new HealthCheckResult(context.Registration.FailureStatus, $"The check did not answer within {timeout.TotalSeconds:0.#} s.");
        }
    }
}
