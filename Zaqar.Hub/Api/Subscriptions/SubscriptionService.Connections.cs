using Zaqar.Data;
using Zaqar.Data.Pools;

namespace Zaqar.Hub.Api;

// The subscriptions of hub connections, for the hub's registry that made them (issue #4): checked and deleted in bulk,
// one statement per database (issue #6), since a subscription lives where its source queue does.
public sealed partial class SubscriptionService
{
    /// <summary>
    /// Deletes subscriptions of hub connections that ended (for the hub's registry, which made them), on their sources'
    /// databases. Every database is tried; the first failure is thrown after.
    /// </summary>
    public async Task DeleteConnectionSubscriptionsAsync(IReadOnlyList<(Guid Id, QueueRef Source)> subscriptions, CancellationToken ct = default)
    {
        Exception? failure = null;
        foreach (var (target, ids) in await ByDatabaseAsync(subscriptions, ct))
        {
            try
            {
                await store.DeleteHubSubscriptionsAsync(target, ids, ct);
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
            {
                failure ??= ex;
            }
        }
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>
    /// Which of the subscriptions have ended (deleted or expired), for the hub's registry, which made them. Those whose
    /// database can't be read now are not reported: a database outage must not end them.
    /// </summary>
    public async Task<SubscriptionCheck> EndedAsync(IReadOnlyList<(Guid Id, QueueRef Source)> subscriptions, CancellationToken ct = default)
    {
        var ended = new List<Guid>();
        var failures = new List<Exception>();
        foreach (var (target, ids) in await ByDatabaseAsync(subscriptions, ct))
        {
            try
            {
                var live = (await store.LiveAsync(target, ids, Now(), ct)).ToHashSet();
                ended.AddRange(ids.Where(id => !live.Contains(id)));
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
            {
                failures.Add(ex);
            }
        }
        return new SubscriptionCheck(ended, failures);
    }

    private async Task<Dictionary<PoolTarget, List<Guid>>> ByDatabaseAsync(IReadOnlyList<(Guid Id, QueueRef Source)> subscriptions, CancellationToken ct)
    {
        var groups = new Dictionary<PoolTarget, List<Guid>>();
        foreach (var (id, source) in subscriptions)
        {
            var target = (await router.RouteAsync(source, ct)).Target;
            (groups.TryGetValue(target, out var ids) ? ids : groups[target] = []).Add(id);
        }
        return groups;
    }
}

/// <summary>The subscriptions found ended, and the failures of databases that could not be read.</summary>
public sealed record SubscriptionCheck(IReadOnlyList<Guid> Ended, IReadOnlyList<Exception> Failures);
