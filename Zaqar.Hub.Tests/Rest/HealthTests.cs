using System.Net;
using System.Text.Json;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>Ping and the operator health check (zaqar-v2-api.md section 7, policies of section 1.2).</summary>
public sealed class HealthTests(ZaqarTestServer server)
{
    private static readonly string[] Operations =
    [
        "create_queue", "post_messages", "claim_messages", "list_messages", "delete_messages", "delete_claim", "bulk_delete_messages",
        "delete_queue",
    ];

    [Fact]
    public async Task PingAnswersNoContentWhenStorageAnswers()
    {
        using var client = server.NewProject();

        var get = await client.GetAsync("/v2/ping");
        var head = await client.SendAsync(HttpMethod.Head, "/v2/ping");

        Assert.Equal(HttpStatusCode.NoContent, get.Status);
        Assert.Empty(get.Text);
        Assert.Equal(HttpStatusCode.NoContent, head.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("member")]
    [InlineData("reader,administrator")]
    public async Task HealthIsForbiddenWithoutTheAdminRole(string? roles)
    {
        var headers = RestTestHelpers.ValidHeaders();
        if (roles is not null)
        {
            headers["X-Roles"] = roles;
        }

        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/health", headers);

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("""{"title":"Not authorized","description":"You are not authorized to complete this action."}""", response.Text);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("member, admin")]
    public async Task HealthRunsEveryOperationForAnAdmin(string roles)
    {
        var headers = RestTestHelpers.ValidHeaders();
        headers["X-Roles"] = roles;

        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/health", headers);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var health = response.Json!.AsObject();
        Assert.Equal(["storage_reachable", "operation_status"], health.Select(p => p.Key));
        Assert.True(health["storage_reachable"]!.GetValue<bool>());
        var status = health["operation_status"]!.AsObject();
        Assert.Equal(Operations.Order(StringComparer.Ordinal), status.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (name, operation) in status)
        {
            Assert.Equal(["succeeded", "seconds", "ref"], operation!.AsObject().Select(p => p.Key));
            Assert.True(operation["succeeded"]!.GetValue<bool>(), name);
            Assert.Equal(JsonValueKind.Number, operation["seconds"]!.GetValueKind());
            var reference = operation["ref"];
            Assert.True(reference is null || Guid.TryParse(reference.GetValue<string>(), out _), name);
        }
    }

    [Fact]
    public async Task HealthLeavesNothingInTheCallersProject()
    {
        using var client = server.NewProject();
        client.Http.DefaultRequestHeaders.Add("X-Roles", "admin");

        var health = await client.GetAsync("/v2/health");
        var queues = await client.GetAsync("/v2/queues");

        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Empty(queues.Json!["queues"]!.AsArray());
    }

    [Fact]
    public async Task HealthIsNotRoutedWithoutAdminMode()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:AdminMode"] = "false" });
        var headers = RestTestHelpers.ValidHeaders();
        headers["X-Roles"] = "admin";

        var admin = await factory.RawAsync(HttpMethod.Get, "/v2/health", headers);
        var anonymous = await factory.RawAsync(HttpMethod.Get, "/v2/health");

        Assert.Equal(HttpStatusCode.NotFound, admin.Status);
        Assert.Equal("""{"title":"404 Not Found"}""", admin.Text);
        Assert.Equal(HttpStatusCode.NotFound, anonymous.Status);
    }
}
