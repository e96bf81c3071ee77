using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Data.Embedded;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Pools;
using Zaqar.Hub.Tests.Rest.Fuzzing;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>
/// Issue 10 item 5: a short, fixed-seed run of the REST fuzzer (the bench runs the long one), so the suite keeps the
/// fuzzer and the service honest: every route tried, no 5xx, no hang, nothing written by a refused request, the service up.
/// </summary>
public sealed class RestFuzzTests(ZaqarTestServer server, ITestOutputHelper output)
{
    /// <summary>
    /// Classes of failure owned by other branches of issue 10, reported but not failed here until those are merged
    /// (the report lists them apart): JSON value content and identity headers (i10-json), pre-signed URLs (i10-auth).
    /// </summary>
    private static readonly FuzzArea[] ToleratedUntilMerged = [];

    [Fact]
    public async Task ThreeThousandFuzzedRequestsOverEveryRouteGetNoServerErrorAndRefusalsWriteNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var primary = await PooledDeployment.CreateDatabaseAsync(server, "zfuzz");
        var pool = await PooledDeployment.CreateDatabaseAsync(server, "zfuzzpool");
        var port = LoopbackPort.Free();
        await using var factory = new ZaqarFactory(primary, RestFuzzer.ServiceSettings);
        factory.UseKestrel(port);
        factory.StartServer();
        var target = new RestFuzzTarget(new Uri($"http://127.0.0.1:{port}"), factory.Services.GetRequiredService<EndpointDataSource>(), primary, pool);

        // A generous timeout: the suite shares the machine with other tests; a request that long is still a hang.
        var options = new RestFuzzOptions { Cases = 3000, Seed = 20261210, Workers = 4, RequestTimeout = TimeSpan.FromSeconds(30) };

        var report = await RestFuzzer.RunAsync(target, options, ct);

        output.WriteLine(report.ToString());
        Assert.True(report.Passed(ToleratedUntilMerged), report.ToString());
        Assert.Equal(3000, report.Cases);
        Assert.Equal(report.RoutesTotal, report.RoutesTried);
        // Zaqar's websocket path answers plain HTTP with 400 and the fallback answers 404, by design: never "served" here.
        var neverServed = report.RoutesNeverAccepted.Where(r => r is not ("* /v2/ws" or $"* {RestRouteTable.Fallback}")).ToList();
        // The run ends with valid requests for any route the draw left unserved, each after the requests that make the state
        // it needs. Two routes' state lives a short time in the service (a live claim, a long poll's connection just
        // negotiated): on a loaded machine one may still elude the tries, not more.
        Assert.True(neverServed.Count <= 2, "the valid requests should be served: " + string.Join(", ", neverServed));
        Assert.True(report.StateChecks > 1000, "most mutated requests should be refused and checked");
    }

    [Fact]
    public void RouteTableCheckNamesRoutesTheFuzzerDoesNotKnowAndRoutesThatAreGone()
    {
        var routed = RestRouteTable.Routes.Select(r => r.ToString()).Where(r => r != "DELETE /v2/pools/{pool}").Append("GET /v2/new/{thing}").ToHashSet();

        var drift = RestRouteTable.Check(routed);

        Assert.Equal(
            ["routed but not in the fuzzer's table: GET /v2/new/{thing}", "in the fuzzer's table but not routed: DELETE /v2/pools/{pool}"],
            drift);
    }
}
