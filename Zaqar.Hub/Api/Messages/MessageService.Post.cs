using System.Text;
using System.Text.Json;
using Zaqar.Data;
using Zaqar.Data.Stores;
using Zaqar.Hub.Telemetry;

namespace Zaqar.Hub.Api;

// Posting (zaqar-v2-api.md section 3.1): size limits, ttl and delay defaults, encryption, and telling the observers.
public sealed partial class MessageService
{
    /// <summary>
    /// Posts a JSON document of messages. The size limit (the service's and the queue's) is checked against
    /// <paramref name="contentLength"/> before the body is read, as Zaqar does.
    /// </summary>
    public async Task<PostedView> PostJsonAsync(
        CallContext ctx, string queue, long? contentLength, Func<long, Task<ReadOnlyMemory<byte>>> readBody,
        QueueKind kind, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        var target = ctx.Queue(queue, kind);
        using var activity = ZaqarTelemetry.StartOperation("messages.post", target, "send");
        var settings = await SettingsAsync(target, fresh: false, ct);
        if (contentLength is { } declared)
        {
            CheckPostSize(declared, settings);
        }
        // Read up to the service's limit, not the queue's: settings read from the cache may turn out stale below.
        var body = await readBody(O.MaxMessagesPostSize);
        CheckPostSize(body.Length, settings);
        using var document = JsonInput.Parse(body);
        for (var attempt = 1; ; attempt++)
        {
            var drafts = RequestBodies.Messages(document.RootElement, readDelay: DefaultDelay(settings) != 0);
            try
            {
                return await PostCoreAsync(ctx, target, drafts, settings, ct);
            }
            catch (StaleQueueSettingsException) when (attempt < MaxStaleRetries)
            {
                // The queue's metadata changed since these settings were read: validate again against the current ones.
                settings = await SettingsAsync(target, fresh: true, ct);
                CheckPostSize(contentLength ?? body.Length, settings);
                CheckPostSize(body.Length, settings);
            }
        }
    }

    /// <summary>Posts drafts from a transport that binds them itself; the size checked is their compact JSON size.</summary>
    public async Task<PostedView> PostAsync(
        CallContext ctx, string queue, IReadOnlyList<MessageDraft> drafts, QueueKind kind, CancellationToken ct)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId, kind);
        var target = ctx.Queue(queue, kind);
        using var activity = ZaqarTelemetry.StartOperation("messages.post", target, "send");
        var settings = await SettingsAsync(target, fresh: false, ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await PostCoreAsync(ctx, target, drafts, settings, ct, boundByTransport: true);
            }
            catch (StaleQueueSettingsException) when (attempt < MaxStaleRetries)
            {
                settings = await SettingsAsync(target, fresh: true, ct);
            }
        }
    }

    private async Task<PostedView> PostCoreAsync(
        CallContext ctx, QueueRef queue, IReadOnlyList<MessageDraft> drafts, QueueSettings settings, CancellationToken ct, bool boundByTransport = false)
    {
        if (drafts.Count == 0)
        {
            throw ApiErrors.BadRequest("No messages to enqueu.");
        }
        var ttlDefault = settings.DefaultMessageTtl ?? O.DefaultMessageTtl;
        var delayDefault = DefaultDelay(settings);
        var batch = new NewMessage[drafts.Count];
        long size = 0;
        for (var i = 0; i < drafts.Count; i++)
        {
            var draft = drafts[i];
            if (draft.Body.ValueKind == JsonValueKind.Undefined)
            {
                throw ApiErrors.BadBody("Missing \"body\" field.");
            }
            var ttl = draft.Ttl ?? ttlDefault;
            if (ttl < MessageRules.MinTtl || ttl > O.MaxMessageTtl)
            {
                throw ApiErrors.BadRequest(
                    $"The TTL for a message may not exceed {O.MaxMessageTtl} seconds, and must be at least {MessageRules.MinTtl} seconds long.");
            }
            // Delays apply only on delayed queues (a non-zero default delay); elsewhere the field is ignored.
            var delay = delayDefault == 0 ? 0 : draft.Delay ?? delayDefault;
            if (delay < 0 || delay > O.MaxMessageDelay)
            {
                throw ApiErrors.BadRequest(
                    $"The delay for a message may not exceed {O.MaxMessageDelay} seconds, and must be at least 0 seconds long.");
            }
            // Whichever transport bound it, a body is accepted only if every reader can serve it (issue 10).
            var body = AcceptableJson.BodyText(draft.Body);
            size += Encoding.UTF8.GetByteCount(body) + 32;
            batch[i] = settings.EncryptMessages ? new NewMessage(crypto.Encrypt(body), ttl, delay, Encrypted: true) : new NewMessage(body, ttl, delay);
        }
        if (boundByTransport)
        {
            // REST checked the request's size before reading it; here the compact JSON size stands in.
            CheckPostSize(size, settings);
        }
        var now = Now();
        foreach (var observer in _observers)
        {
            observer.PostStarting(queue);
        }
        PostedMessage[] posted;
        try
        {
            posted = await guard.Run(() => messages.PostAsync(queue, batch, ctx.ClientId, now, settings.Version, ct), "Messages could not be enqueued.");
            ZaqarTelemetry.MessagesPosted.Add(posted.Length);
            if (_observers.Length > 0)
            {
                // The store's payload goes to the observers as it is; a pushed view is built only if one of them has a
                // listener for this queue here (issue 12 item 6).
                var told = new PostedMessages(queue, posted, now, crypto);
                foreach (var observer in _observers)
                {
                    observer.Posted(told);
                }
            }
        }
        finally
        {
            foreach (var observer in _observers)
            {
                observer.PostEnded(queue);
            }
        }
        var ids = new string[posted.Length];
        var resources = new string[posted.Length];
        for (var i = 0; i < posted.Length; i++)
        {
            ids[i] = posted[i].Id.ToString("D");
            resources[i] = Paths.Message(queue.Name, ids[i], queue.Kind);
        }
        return new PostedView(ids, resources);
    }

    /// <summary>A post racing metadata changes this many times in a row gives up with the last failure.</summary>
    private const int MaxStaleRetries = 4;

    private Task<QueueSettings> SettingsAsync(QueueRef queue, bool fresh, CancellationToken ct) =>
        guard.RunCached(() => settingsCache.GetAsync(queue, fresh, ct), "Messages could not be enqueued.");

    // A queue is a delayed queue when this is not zero: then (only) a message's delay is read and honoured.
    private int DefaultDelay(QueueSettings settings) => settings.DefaultMessageDelay ?? O.DefaultMessageDelay;

    private int PostSizeLimit(QueueSettings settings) =>
        settings.MaxMessagesPostSize is { } q ? Math.Min(q, O.MaxMessagesPostSize) : O.MaxMessagesPostSize;

    private void CheckPostSize(long size, QueueSettings settings)
    {
        if (settings.MaxMessagesPostSize is { } queueLimit)
        {
            var limit = Math.Min(queueLimit, O.MaxMessagesPostSize);
            if (size > limit)
            {
                throw ApiErrors.BadRequest(
                    $"Message collection size is too large. The max size for current queue is {limit}. It is calculated by max size = " +
                    $"min(max_messages_post_size_config: {O.MaxMessagesPostSize}, max_messages_post_size_queue: {queueLimit}).");
            }
        }
        if (size > O.MaxMessagesPostSize)
        {
            throw ApiErrors.BadRequest($"Message collection size is too large. Max size {O.MaxMessagesPostSize}");
        }
    }
}
