using System.Text.Json;
using System.Text.Json.Serialization;
using Zaqar.Data;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Api;

/// <summary>A message as pushed to subscribers: after its post commits here, or when another node's post is read back.</summary>
public sealed record PushedMessageView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("age")] long Age)
{
    [JsonPropertyName("delay")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Delay { get; init; }

    /// <summary>The body's size in bytes of JSON text (for bounding push buffers); not sent.</summary>
    [JsonIgnore]
    public int Size { get; init; }

    /// <summary>The one way a pushed view is made, for local posts and relayed ones alike (issue 12 item 6).</summary>
    /// <param name="json">The body's JSON text (decrypted).</param>
    public static PushedMessageView Of(Guid id, string json, int ttl, long age, int delay) =>
        new(id.ToString("D"), JsonInput.ParseStored(json), ttl, age) { Delay = delay, Size = json.Length };
}

/// <summary>
/// The messages one post committed to one queue (or topic), as the store returned them, passed to every observer
/// unchanged. Their pushed views are built on first ask, once, and shared: only an observer with a listener for the
/// queue on this node asks, so a post nobody here listens to costs no view and no body copy (issue 12 item 6).
/// </summary>
public sealed class PostedMessages(QueueRef queue, IReadOnlyList<PostedMessage> messages, DateTime postedAt, MessageCrypto crypto)
{
    private PushedMessageView[]? _views;

    public QueueRef Queue { get; } = queue;

    /// <summary>In posting order, which is position order; never empty.</summary>
    public IReadOnlyList<PostedMessage> Messages { get; } = messages;

    public DateTime PostedAt { get; } = postedAt;

    /// <summary>The pushed views, index for index with <see cref="Messages"/>; built on the first call.</summary>
    public IReadOnlyList<PushedMessageView> Views =>
        Volatile.Read(ref _views) ?? Interlocked.CompareExchange(ref _views, BuildViews(), null) ?? _views;

    private PushedMessageView[] BuildViews()
    {
        var views = new PushedMessageView[Messages.Count];
        for (var i = 0; i < views.Length; i++)
        {
            var m = Messages[i];
            views[i] = PushedMessageView.Of(m.Id, crypto.BodyText(m.Body, m.Encrypted), m.Ttl, age: 0, m.Delay);
        }
        return views;
    }
}

/// <summary>
/// Told about every committed post, whatever the transport (push to subscribers, waking consumers).
/// </summary>
/// <remarks>
/// Called on the poster's path right after commit: implementations must only hand the work off (enqueue),
/// never wait on a subscriber, so a slow subscriber can't slow a poster. An implementation that pushes looks at
/// <see cref="PostedMessages.Views"/> only when the queue has a listener here.
/// </remarks>
public interface IMessageObserver
{
    /// <summary>
    /// Called before a post to <paramref name="queue"/> is sent to the store; each call is matched by one
    /// <see cref="PostEnded"/>, after <see cref="Posted"/> when the post committed. Lets an observer know a post may
    /// have committed that it has not been told of yet (issue 13: a resuming subscription's seam filter).
    /// </summary>
    void PostStarting(QueueRef queue)
    {
    }

    void Posted(PostedMessages posted);

    /// <summary>Ends what <see cref="PostStarting"/> began, whether the post committed or failed.</summary>
    void PostEnded(QueueRef queue)
    {
    }
}
