using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>
/// The hub matrix's presence methods (issue 13): B keeps a connection subscribed to the shared name for the whole run, and A
/// never counts it, lists its client or hears of it.
/// </summary>
internal static partial class HubMatrix
{
    private static IEnumerable<HubCase> Presence() =>
    [
        Case("GetPresence", "the shared name: A's own connection only", async r =>
        {
            await r.CallAsync("Subscribe", Shared);
            var presence = (await r.CallAsync("GetPresence", Shared))!;
            Assert.Equal(1, presence["connections"]!.GetValue<int>());
            Assert.All(presence["clients"]?.AsArray() ?? [], c => Assert.Equal(r.A.Client.ClientId, c!["client_id"]!.GetValue<string>()));
        }),
        Case("SubscribePresence", "the shared name: none of B's connections", async r =>
            Assert.Equal(0, (await r.CallAsync("SubscribePresence", Shared))!["connections"]!.GetValue<int>())),
        Case("UnsubscribePresence", "the shared name, and a name only B has", async r =>
        {
            await r.CallAsync("UnsubscribePresence", Shared);
            await r.CallAsync("UnsubscribePresence", r.B.OnlyQueue);
        }),
        Case("GetTopicPresence", "the shared name: none of B's connections", async r =>
            Assert.Equal(0, (await r.CallAsync("GetTopicPresence", Shared))!["connections"]!.GetValue<int>())),
        Case("SubscribeTopicPresence", "the shared name: none of B's connections", async r =>
            Assert.Equal(0, (await r.CallAsync("SubscribeTopicPresence", Shared))!["connections"]!.GetValue<int>())),
        Case("UnsubscribeTopicPresence", "the shared name", r => r.CallAsync("UnsubscribeTopicPresence", Shared)),
    ];
}
