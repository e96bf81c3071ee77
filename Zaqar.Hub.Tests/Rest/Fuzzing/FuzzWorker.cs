using System.Text.RegularExpressions;
using Npgsql;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>The URL-* headers of a pre-signed URL the service issued to a worker.</summary>
public sealed record SignedGrant(string Signature, string Expires, string Methods, string Paths);

/// <summary>
/// A few recent ids of one kind, learned from responses, by the queue or topic they were seen under ("queues/q0"), for
/// paths and parameters that name real things.
/// </summary>
public sealed class IdStore
{
    private readonly Dictionary<string, List<string>> _byTarget = [];

    public void Add(string target, string id)
    {
        if (!_byTarget.TryGetValue(target, out var ids))
        {
            _byTarget[target] = ids = [];
        }
        if (ids.Contains(id))
        {
            return;
        }
        if (ids.Count == 32)
        {
            ids.RemoveAt(0);
        }
        ids.Add(id);
    }

    /// <summary>Mostly an id seen under <paramref name="target"/>, sometimes one seen anywhere; null when none was seen.</summary>
    public string? Pick(Random random, string? target = null)
    {
        var ids = target is not null && random.Next(5) != 0 && _byTarget.TryGetValue(target, out var own) && own.Count > 0
            ? own
            : _byTarget.Values.SelectMany(v => v).ToList();
        return ids.Count == 0 ? null : ids[random.Next(ids.Count)];
    }
}

/// <summary>
/// One concurrent fuzz worker: a project of its own (so "nothing written by a refused request" can be checked while
/// others write), its queues, topics, pools and flavors, and the ids it has seen. Not thread-safe: one task each.
/// </summary>
public sealed partial class FuzzWorker
{
    private readonly string _poolConnectionString;

    /// <param name="runToken">Names the run's pools and flavors, which all workers share (catalog cases run one at a time).</param>
    public FuzzWorker(int index, int seed, string runToken, string poolConnectionString)
    {
        Index = index;
        _poolConnectionString = poolConnectionString;
        // Every project id the worker sends starts with the token, so the state check sees whatever it wrote.
        Token = $"{runToken}w{index:D2}x";
        var random = new Random(HashCode.Combine(seed, index));
        var bytes = new byte[16];
        random.NextBytes(bytes);
        ClientId = new Guid(bytes).ToString("D");
        Pools = [runToken + "pa", runToken + "pb"];
        Flavors = [runToken + "fa", runToken + "fb"];
    }

    public int Index { get; }

    public string Token { get; }

    public string Project => Token + "-project";

    public string ClientId { get; }

    public string[] Queues { get; } = ["q0", "q1", "dlq"];

    public string[] Topics { get; } = ["t0", "t1"];

    public string[] Pools { get; }

    public string[] Flavors { get; }

    public IdStore MessageIds { get; } = new();

    public IdStore ClaimIds { get; } = new();

    public IdStore SubscriptionIds { get; } = new();

    public IdStore ConnectionTokens { get; } = new();

    public SignedGrant? Grant { get; set; }

    /// <summary>The fingerprint of the worker's state after its last refused request; null after an accepted one.</summary>
    public string? LastDigest { get; set; }

    /// <summary>A connection string to the pool database, distinct per pool name (a URI may serve one pool only).</summary>
    public string PoolUri(string pool) => new NpgsqlConnectionStringBuilder(_poolConnectionString) { ApplicationName = pool }.ConnectionString;

    /// <summary>Learns the ids an accepted response names (messages, claims, subscriptions, hub connection tokens), by the queue they belong to.</summary>
    /// <param name="target">The queue or topic the request named ("queues/q0"), if any.</param>
    public void Harvest(RawResponse response, string? target)
    {
        if (response.Status is < 200 or >= 300)
        {
            return;
        }
        var text = response.Body + " " + response.Header("Location");
        target ??= "";
        foreach (Match m in MessageHref().Matches(text))
        {
            MessageIds.Add($"{m.Groups[1].Value}/{m.Groups[2].Value}", m.Groups[3].Value);
        }
        foreach (Match m in IdsParameter().Matches(text))
        {
            foreach (var id in m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                MessageIds.Add(target, id);
            }
        }
        foreach (Match m in ClaimId().Matches(text))
        {
            ClaimIds.Add(target, m.Groups[1].Value);
        }
        foreach (Match m in SubscriptionId().Matches(text))
        {
            SubscriptionIds.Add(target, m.Groups[1].Value);
        }
        foreach (Match m in ConnectionToken().Matches(text))
        {
            ConnectionTokens.Add("", m.Groups[1].Value);
        }
    }

    private const string Uuid = "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";

    [GeneratedRegex("/v2/(queues|topics)/([^/\"]+)/messages/" + Uuid)]
    private static partial Regex MessageHref();

    [GeneratedRegex("ids=([0-9a-fA-F,-]+)")]
    private static partial Regex IdsParameter();

    [GeneratedRegex("(?:/claims/|claim_id=|\"claim_id\":\")" + Uuid)]
    private static partial Regex ClaimId();

    [GeneratedRegex("(?:/subscriptions/|\"subscription_id\":\"|\"id\":\"(?=[^\"]*\",\"source\"))" + Uuid)]
    private static partial Regex SubscriptionId();

    [GeneratedRegex("\"connectionToken\":\"([^\"]{1,100})\"")]
    private static partial Regex ConnectionToken();
}
