using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Api;

/// <summary>
/// The post path's view of each queue's reserved metadata (default ttl and delay, size limit, encryption), cached so
/// a post costs one database round trip instead of two.
/// </summary>
/// <remarks>
/// The cache never makes a post follow stale rules: each entry carries its metadata version, and the post statement
/// inserts only while the queue still has that version (<see cref="StaleQueueSettingsException"/> otherwise, and the
/// post is validated again with fresh settings). Entries expire after a while and are dropped here when this node
/// changes a queue's metadata; other nodes' changes are caught by the version check. Bounded in size.
/// Singleton; thread-safe.
/// </remarks>
public sealed class QueueSettingsCache(QueueStore queues, IOptions<ZaqarOptions> options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.QueueSettingsCacheEntries });

    public async Task<QueueSettings> GetAsync(QueueRef queue, bool fresh, CancellationToken ct)
    {
        if (!fresh && _cache.TryGetValue(queue, out QueueSettings? cached) && cached is not null)
        {
            return cached;
        }
        // The columns the API layer wrote with the metadata: no JSON to parse here (issue 12 item 5).
        var settings = await queues.GetSettingsAsync(queue, ct);
        _cache.Set(queue, settings, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(options.Value.QueueSettingsCacheSeconds),
        });
        return settings;
    }

    public void Invalidate(QueueRef queue) => _cache.Remove(queue);

    public void Dispose() => _cache.Dispose();
}
