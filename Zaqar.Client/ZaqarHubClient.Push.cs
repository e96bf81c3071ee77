using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;

namespace Zaqar.Client;

// Push: subscriptions of this connection with a handler, the consume stream, and stored subscriptions (webhook, mailto).
public sealed partial class ZaqarHubClient
{
    /// <summary>
    /// Hands every message posted to <paramref name="queue"/> from now on to <paramref name="handler"/>, until the returned
    /// registration is disposed. Survives reconnects: the subscription is made again after the last message handed out
    /// (issue 13), so the messages posted while the connection was away come first, once each, then the new ones. A message
    /// still in its delay when the connection comes back is not among them (as a listing without include_delayed hides it).
    /// </summary>
    public Task<IAsyncDisposable> SubscribeAsync(string queue, Func<PushedMessage, Task> handler, CancellationToken cancellationToken = default) =>
        _push.AddAsync(topic: false, queue, handler, cancellationToken);

    /// <summary>As <see cref="SubscribeAsync(string, Func{PushedMessage, Task}, CancellationToken)"/>, with a synchronous handler.</summary>
    public Task<IAsyncDisposable> SubscribeAsync(string queue, Action<PushedMessage> handler, CancellationToken cancellationToken = default) =>
        SubscribeAsync(queue, m =>
        {
            handler(m);
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>
    /// Claims messages of <paramref name="queue"/> as they arrive and yields them one by one; delete each with its
    /// <see cref="ConsumedMessage.ClaimId"/> once processed. Ending the enumeration (cancelling, or leaving the loop) ends the
    /// stream on the service, which releases the claims it still holds. A lost connection resumes with a new stream once it
    /// is back (the old stream's claims are released: a message may come again).
    /// </summary>
    public IAsyncEnumerable<ConsumedMessage> ConsumeAsync(string queue, ConsumeOptions? options = null, CancellationToken cancellationToken = default) =>
        ResumingStreamAsync<ConsumedMessage>("Consume", [queue, options], cancellationToken);

    /// <summary>
    /// Samples of the depth of <see cref="StatsStreamOptions.Queues"/> (and, for an admin, the node's message rates), one at
    /// once and then one every interval, as the console's live charts get them. Ending the enumeration ends the stream on
    /// the service; a lost connection resumes with a new stream once it is back.
    /// </summary>
    public IAsyncEnumerable<StatsSample> StreamStatsAsync(StatsStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        ResumingStreamAsync<StatsSample>("StreamStats", [options], cancellationToken);

    /// <summary>
    /// A hub stream that outlives the connection: when it breaks with its connection, a new one is asked for once the
    /// connection is back. Ends when the service ends the stream or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    private async IAsyncEnumerable<T> ResumingStreamAsync<T>(
        string method, object?[] arguments, [EnumeratorCancellation] CancellationToken cancellationToken) where T : class
    {
        while (true)
        {
            using var stream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var items = _connection.StreamAsyncCore<T>(method, arguments, stream.Token).GetAsyncEnumerator(stream.Token);
            var broken = false;
            try
            {
                while (true)
                {
                    // An item received with one handed out before cancellation is not handed out after it (Consume: ending
                    // the stream releases its claim).
                    cancellationToken.ThrowIfCancellationRequested();
                    var (item, ended) = await NextAsync(items, cancellationToken);
                    if (item is null)
                    {
                        broken = !ended;
                        break;
                    }
                    yield return item;
                }
            }
            finally
            {
                // Leaving early does not end a stream on the service; cancelling its token sends CancelInvocation.
                await stream.CancelAsync();
                await items.DisposeAsync();
            }
            if (!broken)
            {
                yield break;
            }
            // The stream broke with its connection: go on once the connection is back (the state may change a moment after).
            await Task.WhenAny(_stateChanged.Task, Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken));
            await WhenConnectedAsync(cancellationToken);
        }
    }

    /// <summary>Creates a webhook or mailto subscription (or, without a subscriber, one of this connection); returns its id.</summary>
    public async Task<string> CreateSubscriptionAsync(string queue, SubscriptionRequest subscription, CancellationToken cancellationToken = default) =>
        (await CallAsync<SubscriptionCreated>("CreateSubscription", [queue, subscription], cancellationToken)).SubscriptionId;

    /// <summary>Lists a queue's subscriptions.</summary>
    public Task<SubscriptionPage> ListSubscriptionsAsync(string queue, string? marker = null, int? limit = null, CancellationToken cancellationToken = default) =>
        CallAsync<SubscriptionPage>("ListSubscriptions", [queue, new ListSubscriptionsOptions(marker, limit)], cancellationToken);

    /// <summary>One subscription of a queue.</summary>
    public Task<Subscription> GetSubscriptionAsync(string queue, string subscriptionId, CancellationToken cancellationToken = default) =>
        CallAsync<Subscription>("GetSubscription", [queue, subscriptionId], cancellationToken);

    /// <summary>Changes a subscription (subscriber, ttl, options).</summary>
    public Task UpdateSubscriptionAsync(string queue, string subscriptionId, SubscriptionRequest changes, CancellationToken cancellationToken = default) =>
        CallAsync("UpdateSubscription", [queue, subscriptionId, changes], cancellationToken);

    /// <summary>Deletes a subscription.</summary>
    public Task DeleteSubscriptionAsync(string queue, string subscriptionId, CancellationToken cancellationToken = default) =>
        CallAsync("DeleteSubscription", [queue, subscriptionId], cancellationToken);

    /// <summary>Confirms (or unconfirms) a subscription, as its confirmation link does.</summary>
    public Task ConfirmSubscriptionAsync(string queue, string subscriptionId, bool confirmed, CancellationToken cancellationToken = default) =>
        CallAsync("ConfirmSubscription", [queue, subscriptionId, new Confirmation(confirmed)], cancellationToken);

    /// <summary>The next item, or none: the stream ended, or it broke (the connection went away under it); Zaqar errors as such.</summary>
    private static async Task<(T? Item, bool Ended)> NextAsync<T>(IAsyncEnumerator<T> items, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await items.MoveNextAsync() ? (items.Current, false) : (null, true);
        }
        catch (HubException ex)
        {
            throw ZaqarException.From(ex);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, false);
        }
    }
}
