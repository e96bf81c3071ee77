using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Issue 15: a node sent SIGTERM (as an orchestrator stops it) stops taking connections, finishes the requests in flight,
/// ends its consume streams releasing their claims at once, closes its hub connections, and exits cleanly, saying what it
/// did. The service runs as a separate process on the run's PostgreSQL.
/// </summary>
public sealed class GracefulShutdownTests(ZaqarTestServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OnSigtermARequestInFlightCompletesAConsumeStreamsClaimsAreReleasedAtOnceAndNewConnectionsAreRefused()
    {
        var project = "stop-" + Guid.NewGuid().ToString("N")[..10];
        await using var node = await ServiceProcess.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Zaqar"] = server.Database.ConnectionString,
            ["Storage__SweepEnabled"] = "false",
            ["Notifications__DispatcherEnabled"] = "false",
            ["Shutdown__DrainSeconds"] = "120",
        });
        using var rest = node.Rest(project);
        var handed = await rest.PostMessagesAsync("orders", "one", "two", "three");
        await using var consumer = await ConnectHubAsync(new Uri(node.Address, HubPath(rest)), HubWireProtocol.Json);
        await using var items = consumer.StreamAsync<ConsumedMessageView>("Consume", "orders", new ConsumeArgs(Ttl: 600, Batch: 3))
            .GetAsyncEnumerator(Ct);
        for (var i = 0; i < handed.Count; i++)
        {
            Assert.True(await items.MoveNextAsync().AsTask().Within());
        }
        using var elsewhere = new ZaqarClient(server.Factory.CreateClient(), project, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.NoContent, (await elsewhere.PostAsync("/v2/queues/orders/claims", new { ttl = 60, grace = 60 })).Status);
        // A post whose body the node is reading when the signal comes (it asked for the body: 100 Continue).
        var body = new HeldBody("""{"messages": [{"body": "posted while stopping"}]}""");
        var slowPost = PostHeldAsync(node.Address, rest, body);
        await body.Reading.Within();

        node.Terminate();

        await EventuallyAsync(() => RefusedAsync(node.Address), refused => refused);
        await consumer.Closed.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        body.Finish();
        var (status, text) = await slowPost.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(status == HttpStatusCode.Created, $"the post in flight: {(int)status} {text}");
        await node.ExitedAsync();

        Assert.Equal(0, node.ExitCode);
        // Released as the node stopped: claimable now, not when the stream's 600-second claim would have expired.
        var claim = await elsewhere.PostAsync("/v2/queues/orders/claims?limit=10", new { ttl = 60, grace = 60 });
        Assert.True(claim.Status == HttpStatusCode.Created, $"claim after the stop: {(int)claim.Status} {claim.Text}");
        var claimed = claim.Json!["messages"]!.AsArray();
        Assert.Subset(claimed.Select(m => m!["href"]!.GetValue<string>().Split('/')[^1].Split('?')[0]).ToHashSet(), handed.ToHashSet());
        Assert.Contains(claimed, m => m!["body"]!.GetValue<string>() == "posted while stopping");
        Assert.Equal(handed.Count + 1, claimed.Count);
        Assert.Contains("1 consume streams ended, 1 of their claims released", node.Output, StringComparison.Ordinal);
        Assert.Contains("1 hub connections closed", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnSigtermAHubCallInFlightGetsItsAnswerBeforeItsConnectionCloses()
    {
        var project = "stop-hub-" + Guid.NewGuid().ToString("N")[..10];
        await using var node = await ServiceProcess.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Zaqar"] = server.Database.ConnectionString,
            ["Storage__SweepEnabled"] = "false",
            ["Notifications__DispatcherEnabled"] = "false",
            ["Shutdown__DrainSeconds"] = "60",
        });
        using var rest = node.Rest(project);
        await rest.PostMessagesAsync("orders", "first");
        await using var hub = await ConnectHubAsync(new Uri(node.Address, HubPath(rest)), HubWireProtocol.Json);
        // The queue's row held by another transaction: a post through the hub waits for it inside the node.
        await using var holder = new NpgsqlConnection(server.Database.ConnectionString);
        await holder.OpenAsync(Ct);
        await using var hold = await holder.BeginTransactionAsync(Ct);
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM queues WHERE project = @p AND name = 'orders' FOR UPDATE", holder, hold))
        {
            lockRow.Parameters.AddWithValue("p", project);
            await lockRow.ExecuteScalarAsync(Ct);
        }
        var post = hub.InvokeAsync<PostedView>("PostMessages", "orders", new object[] { new { body = "answered while stopping" } });
        await EventuallyAsync(async () => post.IsFaulted ? throw post.Exception! : await BlockedByAsync(holder), blocked => blocked > 0);

        node.Terminate();
        await EventuallyAsync(() => Task.FromResult(node.Output), output => output.Contains("Stopping (draining", StringComparison.Ordinal));
        await hold.CommitAsync(Ct);

        var posted = await post.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Single(posted.MessageIds);
        await node.ExitedAsync();
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("1 hub invocations were under way; 0 still were", node.Output, StringComparison.Ordinal);
        var listed = await new ZaqarClient(server.Factory.CreateClient(), project, Guid.NewGuid().ToString())
            .GetAsync("/v2/queues/orders/messages?echo=true");
        Assert.Contains(listed.Json!["messages"]!.AsArray(), m => m!["id"]!.GetValue<string>() == posted.MessageIds[0]);
    }

    /// <summary>How many sessions wait for a lock <paramref name="holder"/> holds.</summary>
    private static async Task<long> BlockedByAsync(NpgsqlConnection holder)
    {
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))", holder);
        return (long)(await count.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<bool> RefusedAsync(Uri address)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(address.Host, address.Port, Ct);
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }

    private static async Task<(HttpStatusCode Status, string Text)> PostHeldAsync(Uri address, ZaqarClient caller, HeldBody body)
    {
        // The client sends the body only once the service asks for it, so "reading" means the request is in the service.
        using var http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(5) }) { BaseAddress = address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/queues/orders/messages") { Content = body };
        request.Headers.ExpectContinue = true;
        request.Headers.Add("X-Project-ID", caller.Project);
        request.Headers.Add("Client-ID", caller.ClientId);
        using var response = await http.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>
    /// A JSON body sent only when the test says so. Meanwhile it sends leading whitespace (valid JSON) now and then, as a slow
    /// client on a slow link would, so the service's minimum body data rate is not what ends the request.
    /// </summary>
    private sealed class HeldBody(string json) : HttpContent
    {
        private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reading => _reading.Task;

        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            _reading.TrySetResult();
            var padding = Encoding.ASCII.GetBytes(new string(' ', 64));
            while (!_finish.Task.IsCompleted)
            {
                await stream.WriteAsync(padding);
                await stream.FlushAsync();
                await Task.WhenAny(_finish.Task, Task.Delay(100));
            }
            await stream.WriteAsync(Encoding.UTF8.GetBytes(json));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
