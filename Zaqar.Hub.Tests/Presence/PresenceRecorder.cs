using System.Threading.Channels;
using Zaqar.Hub.Api;
using Zaqar.Hub.Tests.Hubs;

namespace Zaqar.Hub.Tests.Presence;

/// <summary>
/// Collects the presence events one client receives, in order, as (queue, event, client id); a topic's queue is written
/// "topic name".
/// </summary>
internal sealed class PresenceRecorder : IDisposable
{
    private readonly Channel<(string Queue, string Event, string? ClientId)> _events = Channel.CreateUnbounded<(string, string, string?)>();
    private readonly IDisposable[] _registrations;

    public PresenceRecorder(HubClient hub)
    {
        _registrations =
        [
            hub.On<string, PresenceEventView[]>("Presence", (queue, changes) => Record(queue, changes)),
            hub.On<string, PresenceEventView[]>("TopicPresence", (topic, changes) => Record("topic " + topic, changes)),
        ];
    }

    /// <summary>The next <paramref name="count"/> events, waiting at most <see cref="HubTestKit.Timeout"/> for each.</summary>
    public async Task<List<(string Queue, string Event, string? ClientId)>> NextAsync(int count, TimeSpan? timeout = null)
    {
        var events = new List<(string, string, string?)>();
        while (events.Count < count)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            wait.CancelAfter(timeout ?? HubTestKit.Timeout);
            events.Add(await _events.Reader.ReadAsync(wait.Token));
        }
        return events;
    }

    /// <summary>True when nothing was received that has not been read yet.</summary>
    public bool IsEmpty => !_events.Reader.TryPeek(out _);

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Record(string queue, PresenceEventView[] changes)
    {
        foreach (var change in changes)
        {
            _events.Writer.TryWrite((queue, change.Event, change.ClientId));
        }
    }
}
