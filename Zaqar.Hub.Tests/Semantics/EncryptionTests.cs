using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Semantics;

/// <summary>_enable_encrypt_messages: bodies are ciphertext at rest and come back unchanged on every read path.</summary>
public sealed class EncryptionTests(ZaqarTestServer server)
{
    [Fact]
    public async Task EncryptedQueueStoresCiphertextAndEveryReadReturnsThePostedBody()
    {
        using var client = server.NewProject();
        await client.PutAsync("/v2/queues/secret", new { _enable_encrypt_messages = true });
        var bodies = new object[] { new { card = "4111-1111", nested = new[] { 1, 2 } }, "plain secret", 42, true };
        var ids = await client.PostMessagesAsync("secret", bodies);

        await using (var conn = new NpgsqlConnection(server.Database.ConnectionString))
        {
            await conn.OpenAsync(TestContext.Current.CancellationToken);
            await using var cmd = new NpgsqlCommand(
                "SELECT string_agg(m.body::text, ' '), bool_and(m.encrypted) FROM messages m JOIN queues q ON q.id = m.queue_id WHERE q.project = @p", conn);
            cmd.Parameters.AddWithValue("p", client.Project);
            await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            await reader.ReadAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain("4111", reader.GetString(0), StringComparison.Ordinal);
            Assert.DoesNotContain("plain secret", reader.GetString(0), StringComparison.Ordinal);
            Assert.True(reader.GetBoolean(1));
        }

        var expected = bodies.Select(b => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(b))!.ToJsonString()).ToList();
        var listed = (await client.GetAsync("/v2/queues/secret/messages?echo=true")).Json!["messages"]!.AsArray();
        Assert.Equal(expected, listed.Select(m => m!["body"]!.ToJsonString()));
        Assert.Equal(expected[0], (await client.GetAsync($"/v2/queues/secret/messages/{ids[0]}")).Json!["body"]!.ToJsonString());
        Assert.Equal(expected[0], (await client.GetAsync("/v2/queues/secret/stats")).Json!["messages"]!["oldest"]!["body"]!.ToJsonString());
        var claimed = (await client.PostAsync("/v2/queues/secret/claims?limit=2", new { })).Json!["messages"]!.AsArray();
        Assert.Equal(expected.Take(2), claimed.Select(m => m!["body"]!.ToJsonString()));
        var popped = await client.DeleteAsync("/v2/queues/secret/messages?pop=2");
        Assert.Equal(HttpStatusCode.OK, popped.Status);
        Assert.Equal(expected.Skip(2), popped.Json!["messages"]!.AsArray().Select(m => m!["body"]!.ToJsonString()));
    }
}
