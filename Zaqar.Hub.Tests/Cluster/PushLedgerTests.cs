using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Zaqar.Data;
using Zaqar.Data.Cluster;
using Zaqar.Data.Stores;
using Zaqar.Hub.Api;
using Zaqar.Hub.Cluster;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// The ledger that keeps push free of duplicates across its three ways in (local post, announced read, poll) and
/// never drops a message that was not pushed (issue #4). The queues don't exist, so each starts at position 0.
/// </summary>
public sealed class PushLedgerTests(ZaqarTestServer server) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(server.Database.ConnectionString);
    private readonly QueueRef _queue = new(TwoNodeTests.NewProject(), "q");
    private readonly Dictionary<long, Guid> _ids = [];

    [Fact]
    public async Task AReadLeavesOutWhatLocalPostsPushedAndALocalPostWhatAReadPushed()
    {
        var ledger = await WatchedLedgerAsync();
        Assert.Equal([1, 2], Seqs(ledger.AdmitLocal(Local(1, 2))));

        // Another node committed 3 and 4; 5 is a local post that committed but whose own push has not run yet.
        Assert.Equal([3, 4, 5], Seqs(ledger.AdmitRead(News(afterSeq: 0, lastSeq: 5, 1, 2, 3, 4, 5), complete: true)));
        Assert.Empty(ledger.AdmitLocal(Local(5)));
        Assert.Equal([6], Seqs(ledger.AdmitLocal(Local(6))));
        Assert.Equal(6, ledger.Cursor(_queue, long.MaxValue)!.Value.AfterSeq);
    }

    [Fact]
    public async Task TheWatermarkWaitsAtAGapUntilAReadCoversIt()
    {
        var ledger = await WatchedLedgerAsync();
        ledger.AdmitLocal(Local(2, 3));
        Assert.Equal(0, ledger.Cursor(_queue, long.MaxValue)!.Value.AfterSeq);

        Assert.Equal([1], Seqs(ledger.AdmitRead(News(afterSeq: 0, lastSeq: 3, 1, 2, 3), complete: true)));
        Assert.Equal(3, ledger.Cursor(_queue, long.MaxValue)!.Value.AfterSeq);
    }

    [Fact]
    public async Task AQueueCreatedAgainStartsOverFromItsFirstPosition()
    {
        var ledger = await WatchedLedgerAsync();
        ledger.AdmitRead(News(afterSeq: 0, lastSeq: 4, 1, 2, 3, 4), complete: true);

        // Deleted and created again (another row id): the read started from the first position.
        _ids.Clear();
        var again = News(afterSeq: 4, lastSeq: 2, 1, 2) with { QueueId = 8 };
        Assert.Equal([1, 2], Seqs(ledger.AdmitRead(again, complete: true)));
        Assert.Equal(new QueueCursor(_queue, 8, 2, long.MaxValue), ledger.Cursor(_queue, long.MaxValue));
    }

    [Fact]
    public async Task NothingIsTrackedOnceTheLastSubscriberLeaves()
    {
        var ledger = await WatchedLedgerAsync();
        await ledger.WatchAsync(_queue, TestContext.Current.CancellationToken);
        ledger.Unwatch(_queue);
        Assert.True(ledger.IsWatched(_queue));
        ledger.Unwatch(_queue);

        Assert.False(ledger.IsWatched(_queue));
        Assert.Empty(ledger.AdmitRead(News(afterSeq: 0, lastSeq: 1, 1), complete: true));
        Assert.Equal([1], Seqs(ledger.AdmitLocal(Local(1))));
    }

    public async ValueTask DisposeAsync() => await _dataSource.DisposeAsync();

    private async Task<PushLedger> WatchedLedgerAsync()
    {
        var store = new ClusterStore(_dataSource, server.Database.ConnectionString);
        var ledger = new PushLedger(store, Options.Create(new ClusterOptions()), TimeProvider.System, NullLogger<PushLedger>.Instance);
        await ledger.WatchAsync(_queue, TestContext.Current.CancellationToken);
        return ledger;
    }

    private Guid Id(long seq) => _ids.TryGetValue(seq, out var id) ? id : _ids[seq] = MessageIds.Compose(seq, Random.Shared.NextInt64());

    private PostedMessages Local(params long[] seqs)
    {
        var now = DateTime.UtcNow;
        var posted = seqs.Select(s => new PostedMessage(Id(s), s, "1", 60, 0, now, Encrypted: false)).ToArray();
        return new PostedMessages(_queue, posted, now, new MessageCrypto(Options.Create(new ZaqarOptions())));
    }

    private QueueNews News(long afterSeq, long lastSeq, params long[] seqs)
    {
        var now = DateTime.UtcNow;
        var messages = seqs.Select(s => new RelayedMessage(s, new StoredMessage(Id(s), "1", 60, now, now.AddMinutes(1), null, 0), now)).ToList();
        return new QueueNews(new QueueCursor(_queue, 7, afterSeq, long.MaxValue), 7, lastSeq, messages);
    }

    private static long[] Seqs(IEnumerable<PushedMessageView> messages) =>
        messages.Select(m => MessageIds.TryParse(m.Id, out _, out var seq) ? seq : -1).ToArray();

    private static long[] Seqs(IEnumerable<RelayedMessage> messages) => messages.Select(m => m.Seq).ToArray();
}
