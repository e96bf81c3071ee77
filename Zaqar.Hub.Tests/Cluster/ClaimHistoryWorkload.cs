using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Zaqar.Client;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// Issue 16 item 3's workload: posters and concurrent claimers spread over the nodes given (half the claimers over REST,
/// half over the hub with the typed client), recording every acknowledged post, claim, delete and release in a
/// <see cref="ClaimHistory"/>. Claimers mostly delete what they claimed; some release their claim instead (the
/// messages go back for others) and some abandon it (it expires), so messages change hands the ways they do in use.
/// Shared by the suite (a short run) and the bench (a long one).
/// </summary>
public sealed class ClaimHistoryWorkload(IReadOnlyList<Uri> nodes, string project, string queue, ClaimHistory history)
{
    private const int ClaimTtl = 60;

    /// <summary>Messages held by abandoned claims: not claimable until they expire, so not counted as backlog.</summary>
    private long _abandoned;

    /// <summary>Claims released without deleting, one in this many.</summary>
    public int ReleaseOneIn { get; init; } = 7;

    /// <summary>Claims abandoned to expire, one in this many.</summary>
    public int AbandonOneIn { get; init; } = 29;

    /// <summary>Claims until every claimer stops.</summary>
    public long Claims { get; init; } = 10_000;

    public int Claimers { get; init; } = 32;

    /// <summary>Messages each claim asks for, at most (each asks for 1 to this many).</summary>
    public int ClaimLimit { get; init; } = 5;

    /// <summary>Messages posted ahead of the claimers, in batches of 10 by one poster per node.</summary>
    public int Backlog { get; init; } = 200;

    /// <summary>False when the caller posts (and records its acknowledged posts in the history itself).</summary>
    public bool Posting { get; init; } = true;

    /// <summary>Calls that failed without an answer (a node dying under them): claims not made, deletes and releases of unknown outcome.</summary>
    public long FailedCalls => Interlocked.Read(ref _failed);

    private long _failed;

    /// <summary>
    /// Runs posters and claimers until <see cref="Claims"/> claims were made or <paramref name="stopping"/> says stop; a
    /// call in flight then finishes, so what it did is recorded.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var posters = Posting ? nodes.Select(node => Task.Run(() => PostAsync(node, stop.Token), CancellationToken.None)).ToList() : [];
        var claimers = Enumerable.Range(0, Claimers).Select(n => Task.Run(() => ClaimAsync(n, stop.Token), CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(claimers);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(posters.Select(p => p.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    /// <summary>Claims and deletes until the queue has nothing claimable; abandoned claims must have expired first.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        using var rest = Rest(nodes[0]);
        while (await ClaimOverRestAsync(rest, 20, ct) is { } claim)
        {
            foreach (var id in claim.Messages)
            {
                await DeleteOverRestAsync(rest, id, claim.Id, ct);
            }
        }
    }

    /// <summary>The ids of every message still in the queue, claimed or not.</summary>
    public async Task<HashSet<string>> RemainingAsync(CancellationToken ct)
    {
        using var rest = Rest(nodes[0]);
        var ids = new HashSet<string>();
        string? next = $"/v2/queues/{queue}/messages?include_claimed=true&echo=true&limit=20";
        while (next is not null)
        {
            using var response = await rest.GetAsync(next, ct);
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                break;
            }
            response.EnsureSuccessStatusCode();
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            var messages = page["messages"]!.AsArray();
            foreach (var m in messages)
            {
                ids.Add(m!["id"]!.GetValue<string>());
            }
            next = messages.Count == 0 ? null : page["links"]?.AsArray().FirstOrDefault(l => l!["rel"]!.GetValue<string>() == "next")?["href"]?.GetValue<string>();
        }
        return ids;
    }

    private async Task PostAsync(Uri node, CancellationToken ct)
    {
        using var rest = Rest(node);
        var body = new { messages = Enumerable.Range(0, 10).Select(i => new { body = new { n = i }, ttl = 3600 }).ToArray() };
        while (!ct.IsCancellationRequested)
        {
            // Posting keeps a backlog ahead of the claimers, no more: a claim finds work, and the queue stays small.
            if (history.PostedCount - history.DeletedCount - Interlocked.Read(ref _abandoned) > Backlog)
            {
                await Task.Delay(5, ct);
                continue;
            }
            try
            {
                using var response = await rest.PostAsJsonAsync($"/v2/queues/{queue}/messages", body, ct);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["resources"]!.AsArray()
                        .Select(r => r!.GetValue<string>().Split('/')[^1]);
                    history.Posted(ids);
                }
            }
            catch (HttpRequestException)
            {
                // Not acknowledged: not counted (a drill's dead node); the next post may reach a live one.
            }
        }
    }

    private async Task ClaimAsync(int claimer, CancellationToken stopping)
    {
        // Calls are not cancelled by stopping: each finishes, or fails on its own (a dead node), and is recorded.
        var ct = CancellationToken.None;
        var node = nodes[claimer % nodes.Count];
        var random = new Random(claimer);
        using var rest = Rest(node);
        ZaqarHubClient? hub = null;
        var closed = false;
        try
        {
            while (history.ClaimCount < Claims && !stopping.IsCancellationRequested)
            {
                try
                {
                    // A hub claimer connects (again, if a connection could not be made) before it claims: a node dying as it
                    // starts is what a drill does, and it reconnects on its own once connected.
                    if (claimer % 2 == 1 && (hub is null || closed))
                    {
                        if (hub is not null)
                        {
                            await hub.DisposeAsync(); // It gave up reconnecting.
                        }
                        hub = null;
                        closed = false;
                        hub = await ZaqarHubClient.ConnectAsync(new ZaqarHubClientOptions { Url = node, ProjectId = project }, ct);
                        hub.Closed += _ =>
                        {
                            closed = true;
                            return Task.CompletedTask;
                        };
                    }
                    await ClaimOnceAsync(rest, hub, random, ct);
                }
                catch (Exception)
                {
                    // No answer, or the service unavailable (a node or a database dying, whichever way its client reports it:
                    // HTTP, WebSocket, SignalR or Zaqar errors): what was recorded stands; try again.
                    Interlocked.Increment(ref _failed);
                    await Task.Delay(100, CancellationToken.None);
                }
            }
        }
        finally
        {
            if (hub is not null)
            {
                await hub.DisposeAsync();
            }
        }
    }

    private async Task ClaimOnceAsync(HttpClient rest, ZaqarHubClient? hub, Random random, CancellationToken ct)
    {
        var limit = random.Next(1, ClaimLimit + 1);
        var claim = hub is null ? await ClaimOverRestAsync(rest, limit, ct) : await ClaimOverHubAsync(hub, limit, ct);
        if (claim is null)
        {
            await Task.Delay(5, ct);
            return;
        }
        var fate = random.Next(ReleaseOneIn * AbandonOneIn);
        if (fate % AbandonOneIn == 0)
        {
            Interlocked.Add(ref _abandoned, claim.Messages.Count); // Left to expire.
            return;
        }
        if (fate % ReleaseOneIn == 0)
        {
            await ReleaseAsync(rest, claim.Id, ct);
            return;
        }
        foreach (var id in claim.Messages)
        {
            if (hub is null)
            {
                await DeleteOverRestAsync(rest, id, claim.Id, ct);
            }
            else
            {
                await DeleteOverHubAsync(hub, id, claim.Id, ct);
            }
        }
    }

    private async Task<ClaimMade?> ClaimOverRestAsync(HttpClient rest, int limit, CancellationToken ct)
    {
        var start = history.Now();
        using var response = await rest.PostAsJsonAsync($"/v2/queues/{queue}/claims?limit={limit}", new { ttl = ClaimTtl, grace = 60 }, ct);
        var end = history.Now();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return null;
        }
        var claimId = response.Headers.Location!.OriginalString.Split('/')[^1];
        var ids = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["messages"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToList();
        history.Claimed(claimId, ClaimTtl, start, end, ids);
        return new ClaimMade(claimId, ids);
    }

    private async Task<ClaimMade?> ClaimOverHubAsync(ZaqarHubClient hub, int limit, CancellationToken ct)
    {
        var start = history.Now();
        var claim = await hub.ClaimAsync(queue, new ClaimOptions(ClaimTtl, 60, limit), ct);
        var end = history.Now();
        if (claim is null)
        {
            return null;
        }
        var ids = claim.Messages.Select(m => m.Id).ToList();
        history.Claimed(claim.ClaimId, ClaimTtl, start, end, ids);
        return new ClaimMade(claim.ClaimId, ids);
    }

    private async Task DeleteOverRestAsync(HttpClient rest, string id, string claimId, CancellationToken ct)
    {
        var start = history.Now();
        var outcome = ClaimHistory.Outcome.Unknown;
        try
        {
            using var response = await rest.DeleteAsync($"/v2/queues/{queue}/messages/{id}?claim_id={claimId}", ct);
            outcome = response.StatusCode switch
            {
                HttpStatusCode.NoContent => ClaimHistory.Outcome.Done,
                HttpStatusCode.BadRequest or HttpStatusCode.Forbidden => ClaimHistory.Outcome.Refused,
                _ => ClaimHistory.Outcome.Unknown,
            };
        }
        finally
        {
            history.Deleted(id, claimId, start, history.Now(), outcome);
        }
    }

    private async Task DeleteOverHubAsync(ZaqarHubClient hub, string id, string claimId, CancellationToken ct)
    {
        var start = history.Now();
        var outcome = ClaimHistory.Outcome.Unknown;
        try
        {
            await hub.DeleteMessageAsync(queue, id, claimId, ct);
            outcome = ClaimHistory.Outcome.Done;
        }
        catch (ZaqarException e) when (e.Status is 400 or 403)
        {
            outcome = ClaimHistory.Outcome.Refused;
        }
        finally
        {
            history.Deleted(id, claimId, start, history.Now(), outcome);
        }
    }

    private async Task ReleaseAsync(HttpClient rest, string claimId, CancellationToken ct)
    {
        var start = history.Now();
        var outcome = ClaimHistory.Outcome.Unknown;
        try
        {
            using var response = await rest.DeleteAsync($"/v2/queues/{queue}/claims/{claimId}", ct);
            outcome = response.StatusCode == HttpStatusCode.NoContent ? ClaimHistory.Outcome.Done : ClaimHistory.Outcome.Unknown;
        }
        finally
        {
            history.Released(claimId, start, history.Now(), outcome);
        }
    }

    private HttpClient Rest(Uri node)
    {
        var client = new HttpClient { BaseAddress = node };
        client.DefaultRequestHeaders.Add("Client-ID", Guid.NewGuid().ToString());
        client.DefaultRequestHeaders.Add("X-Project-ID", project);
        return client;
    }

    private sealed record ClaimMade(string Id, IReadOnlyList<string> Messages);
}
