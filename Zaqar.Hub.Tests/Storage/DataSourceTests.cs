using Npgsql;
using Zaqar.Data;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Storage;

/// <summary>The connections the stores run on (<see cref="ZaqarDataServiceCollectionExtensions.CreateDataSource"/>).</summary>
public sealed class DataSourceTests(ZaqarTestServer server)
{
    /// <summary>
    /// Issue 10 (found by the REST fuzzer): PostgreSQL refuses some parameter values while binding them (a NUL in text,
    /// an escape jsonb can't hold). With automatic preparation, such a refusal on the execution that prepares a statement
    /// left the pooled connection out of step with the server, and the next command on it failed, whoever sent it
    /// ("Received unexpected backend message DataRow"): one tenant's bad request broke another's.
    /// </summary>
    [Fact]
    public async Task AValueRefusedWhileBindingLeavesTheConnectionFineForTheNextCommand()
    {
        var ct = TestContext.Current.CancellationToken;
        // One connection, so every command below runs on the one the refusal happened on.
        var oneConnection = new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var dataSource = ZaqarDataServiceCollectionExtensions.CreateDataSource(oneConnection);
        async Task<long> CountAsync(string name)
        {
            await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM queues WHERE project = @project AND name = @name");
            cmd.Parameters.Add(new NpgsqlParameter<string>("project", "datasource-" + Guid.NewGuid().ToString("N")));
            cmd.Parameters.Add(new NpgsqlParameter<string>("name", name));
            return (long)(await cmd.ExecuteScalarAsync(ct))!;
        }

        for (var use = 0; use < 4; use++)
        {
            Assert.Equal(0, await CountAsync("q"));
            var refused = await Assert.ThrowsAsync<PostgresException>(() => CountAsync("q\0"));
            Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, refused.SqlState);
            Assert.Equal(0, await CountAsync("q"));
        }
    }

    /// <summary>
    /// Issue 14: the hot statements run explicitly prepared (Zaqar.Data's PreparedCommand) with generic plans. A value
    /// refused while binding such a statement, on its first execution or a later one, must leave the connection as fine
    /// for the next command as the unprepared path does.
    /// </summary>
    [Fact]
    public async Task AValueRefusedWhileBindingAPreparedStatementLeavesTheConnectionFineForTheNextCommand()
    {
        var ct = TestContext.Current.CancellationToken;
        var oneConnection = new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var dataSource = ZaqarDataServiceCollectionExtensions.CreateDataSource(oneConnection);
        async Task<long> CountPreparedAsync(string name)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM queues WHERE project = @project AND name = @name", connection);
            cmd.Parameters.Add(new NpgsqlParameter<string>("project", "prepared-" + Guid.NewGuid().ToString("N")));
            cmd.Parameters.Add(new NpgsqlParameter<string>("name", name));
            await cmd.PrepareAsync(ct);
            Assert.True(cmd.IsPrepared);
            return (long)(await cmd.ExecuteScalarAsync(ct))!;
        }

        // First the refusal on a connection that has not prepared the statement yet, then on one that has.
        for (var use = 0; use < 4; use++)
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => CountPreparedAsync("q\0"));
            Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, refused.SqlState);
            Assert.Equal(0, await CountPreparedAsync("q"));
            await using var plain = dataSource.CreateCommand("SELECT 1");
            Assert.Equal(1, (int)(await plain.ExecuteScalarAsync(ct))!);
        }
    }
}
