using Zaqar.Data;

namespace Zaqar.Hub.Api;

// The periodic check of subscriptions whose subscriber is a connection of this node (the hub's, issue #4, and those of
// Zaqar's websocket transport, issue 13): their registries notice a delete or purge on this node at once, but an expiry,
// or a delete through another node, only by asking storage now and then.
public sealed partial class SubscriptionService
{
    /// <summary>
    /// Every <paramref name="interval"/> until stopped, asks storage which of the <paramref name="held"/> subscriptions ended
    /// and hands those to <paramref name="release"/>. A database that can't be read is reported to <paramref name="failed"/>
    /// and asked again next time (an outage must not end subscriptions).
    /// </summary>
    public async Task CheckConnectionSubscriptionsAsync(
        TimeSpan interval, Func<IReadOnlyList<(Guid Id, QueueRef Source)>> held, Action<IReadOnlyList<Guid>> release,
        Action<Exception> failed, CancellationToken stoppingToken)
    {
        // Real time: this decides only when to look; expiry itself is decided by the store with the service's clock.
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var subscriptions = held();
                if (subscriptions.Count == 0)
                {
                    continue;
                }
                try
                {
                    var check = await EndedAsync(subscriptions, stoppingToken);
                    release(check.Ended);
                    foreach (var failure in check.Failures)
                    {
                        failed(failure);
                    }
                }
                catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
                {
                    failed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
