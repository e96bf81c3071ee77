using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Zaqar.Data;
using Zaqar.Data.Entities;
using Zaqar.Hub.Api;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Pools;

namespace Zaqar.Hub.Tests.Storage;

/// <summary>
/// Issue 12 item 5: the migration that adds the queue settings columns fills them from the metadata of queues written
/// before it, with the meaning the API layer gives the keys, so a database migrated from an older version behaves the same.
/// </summary>
public sealed class QueueSettingsMigrationTests(ZaqarTestServer server)
{
    private const string LastMigrationWithoutColumns = "20261122060432_Pools";

    private static readonly Dictionary<string, string> OldRows = new()
    {
        ["full"] = """
            {"_default_message_ttl": 300, "_max_messages_post_size": 1024, "_default_message_delay": 30,
             "_enable_encrypt_messages": true, "_max_claim_count": 3, "_dead_letter_queue": "full-dlq",
             "_dead_letter_queue_messages_ttl": 120, "_retry_policy": {"retries_with_no_delay": 1}, "color": "red"}
            """,
        ["falsy"] = """
            {"_default_message_ttl": 0, "_max_messages_post_size": 0, "_default_message_delay": 0,
             "_enable_encrypt_messages": false, "_max_claim_count": 0, "_dead_letter_queue": "",
             "_dead_letter_queue_messages_ttl": 0, "_retry_policy": ""}
            """,
        ["clamped"] = """{"_max_claim_count": 4294967296, "_dead_letter_queue_messages_ttl": 9223372036854775807, "_dead_letter_queue": "d"}""",
        ["strings"] = """
            {"_default_message_ttl": "300", "_default_message_delay": "5", "_max_claim_count": "2", "_dead_letter_queue": 5,
             "_enable_encrypt_messages": "yes", "_retry_policy": [1]}
            """,
        ["plain"] = """{"color": "blue"}""",
        ["empty"] = "{}",
    };

    [Fact]
    public async Task QueuesWrittenBeforeTheColumnsGetTheSettingsTheApiGivesTheirMetadata()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await PooledDeployment.CreateDatabaseAsync(server, "zmig");
        await using var dataSource = ZaqarDataServiceCollectionExtensions.CreateDataSource(database);
        var options = new DbContextOptionsBuilder<ZaqarDbContext>();
        ZaqarDataServiceCollectionExtensions.ConfigureContext(options, dataSource);
        await using var context = new ZaqarDbContext(options.Options);
        var migrator = context.GetService<IMigrator>();

        await migrator.MigrateAsync(LastMigrationWithoutColumns, ct);
        foreach (var (name, metadata) in OldRows)
        {
            await using var insert = dataSource.CreateCommand(
                "INSERT INTO queues (project, kind, name, metadata, metadata_version, last_seq, created_at) " +
                "VALUES ('old', 0, @name, @metadata::jsonb, 1, 0, now())");
            insert.Parameters.Add(new NpgsqlParameter<string>("name", name));
            insert.Parameters.Add(new NpgsqlParameter<string>("metadata", metadata));
            await insert.ExecuteNonQueryAsync(ct);
        }
        await context.Database.MigrateAsync(ct);

        var rows = await context.Queues.AsNoTracking().Where(q => q.Project == "old").ToDictionaryAsync(q => q.Name, ct);
        Assert.Equal(OldRows.Count, rows.Count);
        foreach (var (name, metadata) in OldRows)
        {
            var expected = QueueMetadata.Settings(JsonNode.Parse(metadata)!.AsObject());
            Assert.Equal(expected with { RetryPolicy = null }, Read(rows[name]) with { RetryPolicy = null });
            Assert.Equal(Normalized(expected.RetryPolicy), Normalized(rows[name].RetryPolicy));
        }
        var full = Read(rows["full"]);
        Assert.Equal(new QueueSettings(300, 1024, 30, true, new DeadLetterRule(3, "full-dlq", 120)), full with { RetryPolicy = null });
        Assert.Equal(1, JsonNode.Parse(full.RetryPolicy!)!["retries_with_no_delay"]!.GetValue<int>());
        Assert.Equal(new DeadLetterRule(int.MaxValue, "d", int.MaxValue), Read(rows["clamped"]).DeadLetter);
        foreach (var unset in new[] { "falsy", "strings", "plain", "empty" })
        {
            Assert.Equal(QueueSettings.None, Read(rows[unset]));
        }
    }

    private static QueueSettings Read(QueueEntity q) => new(
        q.DefaultMessageTtl, q.MaxMessagesPostSize, q.DefaultMessageDelay, q.EncryptMessages,
        new DeadLetterRule(q.MaxClaimCount, q.DeadLetterQueue, q.DeadLetterQueueMessagesTtl), q.RetryPolicy);

    private static string? Normalized(string? json) => json is null ? null : JsonNode.Parse(json)!.ToJsonString();
}
