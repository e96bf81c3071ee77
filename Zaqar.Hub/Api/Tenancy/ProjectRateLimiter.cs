using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api;

/// <summary>
/// A token bucket per project (System.Threading.RateLimiting, the limiter ASP.NET Core's rate limiting uses),
/// shared by both transports: a REST request and a hub invocation each take one permit. Past the limit the
/// caller gets 429 with Retry-After.
/// </summary>
/// <remarks>Singleton; thread-safe. Idle projects' buckets are dropped by the partitioned limiter.</remarks>
public sealed class ProjectRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly LimitsOptions _options;

    public ProjectRateLimiter(IOptions<LimitsOptions> options)
    {
        _options = options.Value;
        if (_options.PermitsPerSecond > 0)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(project => RateLimitPartition.GetTokenBucketLimiter(project, _ =>
                new TokenBucketRateLimiterOptions
                {
                    TokenLimit = _options.Burst,
                    TokensPerPeriod = _options.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        }
    }

    /// <summary>Takes a permit for the caller's project, or fails with 429.</summary>
    public void Acquire(CallContext caller)
    {
        if (_limiter is null)
        {
            return;
        }
        using var lease = _limiter.AttemptAcquire(caller.ProjectId);
        if (!lease.IsAcquired)
        {
            var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
            throw new ZaqarException(429, "Too many requests",
                $"Project {caller.ProjectId} exceeded its rate limit of {_options.PermitsPerSecond} requests per second. Retry in {retry} s.")
            {
                Headers = new Dictionary<string, string> { ["Retry-After"] = retry.ToString(CultureInfo.InvariantCulture) },
            };
        }
    }

    public void Dispose() => _limiter?.Dispose();
}
