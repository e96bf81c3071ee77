using Zaqar.Data;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Api;

/// <summary>A page of a resuming subscriber's backlog, as <see cref="MessageService.HistoryAsync"/> answers it.</summary>
/// <param name="Views">The messages visible now, in position order, as pushes show them.</param>
/// <param name="Hidden">Positions in this page's range whose delay has not passed: not sent, and not skipped when pushed later.</param>
/// <param name="Covered">Every position up to this one was read (the next page starts after it).</param>
/// <param name="Complete">Nothing after <paramref name="Covered"/> was live when the page was read.</param>
/// <param name="Gap">Only on the first page: positions right after <c>since</c> are no longer held (expired or removed).</param>
public sealed record HistoryPage(IReadOnlyList<PushedMessageView> Views, IReadOnlyList<long> Hidden, long Covered, bool Complete, bool Gap);

public sealed partial class MessageService
{
    /// <summary>Parses the <c>since</c> of a resuming Subscribe (issue 13): a message id, like REST's marker; its position.</summary>
    public static long ParseSince(string? since) =>
        MessageIds.TryParse(since, out _, out var seq) ? seq : throw ApiErrors.InvalidParameter("since", "The value must be a message id.");

    /// <summary>
    /// One page of the messages after position <paramref name="afterSeq"/> for a subscriber resuming after it (issue 13):
    /// live ones, claimed or not, from any client; a message still in its delay is not sent (as REST's listing with
    /// include_delayed=false hides it) but reported in <see cref="HistoryPage.Hidden"/>.
    /// </summary>
    /// <param name="first">The page right after <c>since</c>: checks that the queue handed that position out, and reports a gap.</param>
    public async Task<HistoryPage> HistoryAsync(QueueRef queue, long afterSeq, int limit, bool first, CancellationToken ct)
    {
        var now = Now();
        var page = await guard.Run(() => messages.ReadHistoryAsync(queue, afterSeq, now, limit, ct), "Messages could not be listed.");
        if (first && afterSeq > page.LastSeq)
        {
            // Never handed out by this queue: another queue's id, or this queue was deleted and made again since.
            throw ApiErrors.InvalidParameter("since", $"The value is not the id of a message of queue {queue.Name}.");
        }
        var views = new List<PushedMessageView>(page.Messages.Count);
        var hidden = new List<long>();
        foreach (var m in page.Messages)
        {
            if (m.Hidden)
            {
                hidden.Add(m.Seq);
            }
            else
            {
                views.Add(PushedMessageView.Of(m.Id, crypto.BodyText(m.Body, m.Encrypted), m.Ttl, Age(m.CreatedAt, now), delay: 0));
            }
        }
        var complete = page.Messages.Count < limit;
        var covered = complete ? Math.Max(afterSeq, page.LastSeq) : page.Messages[^1].Seq;
        var firstHeld = page.Messages.Count > 0 ? page.Messages[0].Seq : page.LastSeq + 1;
        return new HistoryPage(views, hidden, covered, complete, Gap: first && firstHeld > afterSeq + 1);
    }
}
