using System.Net;

namespace Zaqar.Hub.Tests.Isolation;

// Pools and flavors are the deployment's, not a project's: they carry no tenant data to leak. The isolation world runs
// without pooling, where every one of them is REST's 404 for any caller (Pools/ tests cover them with pooling on); a
// project reaching them here would be the leak.
internal static partial class HubMatrix
{
    private static IEnumerable<HubCase> Pools() =>
    [
        Case("ListPools", "not routed without pooling", r => r.ErrorAsync(HttpStatusCode.NotFound, "ListPools", [null])),
        Case("CreatePool", "not routed without pooling",
            r => r.ErrorAsync(HttpStatusCode.NotFound, "CreatePool", "p", new { uri = "postgresql://x", weight = 1 })),
        Case("GetPool", "not routed without pooling", r => r.ErrorAsync(HttpStatusCode.NotFound, "GetPool", "p", null)),
        Case("UpdatePool", "not routed without pooling", r => r.ErrorAsync(HttpStatusCode.NotFound, "UpdatePool", "p", new { weight = 2 })),
        Case("DeletePool", "not routed without pooling", r => r.ErrorAsync(HttpStatusCode.NotFound, "DeletePool", "p")),
        Case("ListFlavors", "not routed without pooling", r => r.ErrorAsync(HttpStatusCode.NotFound, "ListFlavors", [null])),
        Case("CreateFlavor", "not routed without pooling",
            r => r.ErrorAsync(HttpStatusCode.NotFound, "CreateFlavor", "f", new { pool_list = new[] { "p" } })),
        Case("GetFlavor", "not routed without pooling", r => r.ErrorAsync(HttpStatusCode.NotFound, "GetFlavor", "f")),
        Case("UpdateFlavor", "not routed without pooling",
            r => r.ErrorAsync(HttpStatusCode.NotFound, "UpdateFlavor", "f", new { pool_list = new[] { "p" } })),
        Case("DeleteFlavor", "not routed without pooling", r => r.ErrorAsync(HttpStatusCode.NotFound, "DeleteFlavor", "f")),
    ];
}
