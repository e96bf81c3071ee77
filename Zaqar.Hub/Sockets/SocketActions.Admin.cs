using System.Text.Json.Nodes;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Sockets;

// The actions Zaqar's schema declares and its v2 handler never answers (zaqar-v2-api.md 10.2: the connection just stops
// answering): the home document, ping, health, pools and flavors. Served here by the same API calls as their REST routes,
// with the same rules (admin role; admin mode, and pooling for pools and flavors).
public sealed partial class SocketActions
{
    private const string NotRoutedHint =
        "Pools and flavors exist only with Zaqar:AdminMode and Pools:Enabled on; health only with Zaqar:AdminMode on.";

    private Task<SocketReply> HomeDocumentAsync(SocketCall c) =>
        Task.FromResult(new SocketReply(200, Rest.DiscoveryApi.Home(options.Value.AdminMode, pools.Routed)));

    private async Task<SocketReply> PingAsync(SocketCall c) =>
        await health.PingAsync(c.Ct)
            ? SocketReply.Empty(204)
            : new(503, SocketAnswers.ActionError("The message store does not answer. Please try again in a few seconds.", "Service temporarily unavailable"));

    private Task<SocketReply> HealthAsync(SocketCall c) => Operator(async () => new SocketReply(200, await health.HealthAsync(c.Caller, c.Ct)));

    private Task<SocketReply> PoolListAsync(SocketCall c) => Operator(async () =>
    {
        var page = await pools.ListAsync(c.Caller, new ListPoolsRequest(c.String("marker"), c.Int("limit"), c.Bool("detailed")), c.Ct);
        return new SocketReply(200, new JsonObject { ["pools"] = Node(page.Pools) });
    });

    private Task<SocketReply> PoolCreateAsync(SocketCall c) => Operator(async () =>
    {
        var name = c.String("pool_name")!;
        await pools.CreateAsync(c.Caller, name, c.DocumentWithout("pool_name"), c.Ct);
        return SocketReply.Of(201, $"Pool {name} created.");
    });

    private Task<SocketReply> PoolGetAsync(SocketCall c, bool detailed) =>
        Operator(async () => new SocketReply(200, Node(await pools.GetAsync(c.Caller, c.String("pool_name")!, detailed, c.Ct))));

    private Task<SocketReply> PoolUpdateAsync(SocketCall c) =>
        Operator(async () => new SocketReply(200, Node(await pools.UpdateAsync(c.Caller, c.String("pool_name")!, c.DocumentWithout("pool_name"), c.Ct))));

    private Task<SocketReply> PoolDeleteAsync(SocketCall c) => Operator(async () =>
    {
        var name = c.String("pool_name")!;
        await pools.DeleteAsync(c.Caller, name, c.Ct);
        return SocketReply.Of(204, $"Pool {name} removed.");
    });

    private Task<SocketReply> FlavorListAsync(SocketCall c) => Operator(async () =>
    {
        var page = await flavors.ListAsync(c.Caller, new ListPoolsRequest(c.String("marker"), c.Int("limit"), c.Bool("detailed")), c.Ct);
        return new SocketReply(200, new JsonObject { ["flavors"] = Node(page.Flavors) });
    });

    private Task<SocketReply> FlavorCreateAsync(SocketCall c) => Operator(async () =>
    {
        var name = c.String("flavor_name")!;
        await flavors.CreateAsync(c.Caller, name, c.DocumentWithout("flavor_name"), c.Ct);
        return SocketReply.Of(201, $"Flavor {name} created.");
    });

    private Task<SocketReply> FlavorGetAsync(SocketCall c) =>
        Operator(async () => new SocketReply(200, Node(await flavors.GetAsync(c.Caller, c.String("flavor_name")!, c.Ct))));

    private Task<SocketReply> FlavorUpdateAsync(SocketCall c) =>
        Operator(async () => new SocketReply(200, Node(await flavors.UpdateAsync(c.Caller, c.String("flavor_name")!, c.DocumentWithout("flavor_name"), c.Ct))));

    private Task<SocketReply> FlavorDeleteAsync(SocketCall c) => Operator(async () =>
    {
        var name = c.String("flavor_name")!;
        await flavors.DeleteAsync(c.Caller, name, c.Ct);
        return SocketReply.Of(204, $"Flavor {name} removed.");
    });

    /// <summary>
    /// Runs an operator action. Where REST has no such route (admin mode or pooling off) the API answers "404 Not Found"
    /// with no description; a websocket client has no URL to look at, so the answer says what is missing.
    /// </summary>
    private static async Task<SocketReply> Operator(Func<Task<SocketReply>> action)
    {
        try
        {
            return await action();
        }
        catch (ZaqarException ex) when (ex.Status == 404 && ex.Description is null)
        {
            throw new ZaqarException(404, "Not found", NotRoutedHint);
        }
    }
}
