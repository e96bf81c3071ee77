using Npgsql;

namespace Zaqar.Data.Stores;

/// <summary>
/// A hot statement on a pooled connection of its own, explicitly prepared before it runs (issue 14).
/// </summary>
/// <remarks>
/// Planning the claim's data-modifying CTE took longer than running it (0.8–0.9 ms against 0.3–0.5 ms, EXPLAIN ANALYZE
/// on a warm session), and every call planned it again: the data sources turn automatic preparation off (issue 10: a
/// value refused at bind on the execution that auto-prepares left the connection out of step). An explicit prepare has
/// no such execution: Parse and Describe go alone, once per physical connection (Npgsql keeps the statement across
/// pool checkouts and skips the round trip after the first), and each call then only binds and executes. The data
/// sources run prepared statements with generic plans (<see cref="ZaqarDataServiceCollectionExtensions.CreateDataSource"/>),
/// so a call skips planning too; only statements whose generic plan was checked (EXPLAIN EXECUTE under
/// <c>force_generic_plan</c>) go through here. Statement texts are constants, so each connection holds a bounded set.
/// </remarks>
internal sealed class PreparedCommand : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;

    private PreparedCommand(NpgsqlConnection connection, string sql)
    {
        _connection = connection;
        Command = new NpgsqlCommand(sql, connection);
    }

    public NpgsqlCommand Command { get; }

    public NpgsqlParameterCollection Parameters => Command.Parameters;

    public static async Task<PreparedCommand> OpenAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct) =>
        new(await dataSource.OpenConnectionAsync(ct), sql);

    /// <summary>
    /// Prepares <paramref name="command"/> on its connection (a no-op when that connection has it already). Not
    /// cancellable: a prepare cut off halfway could leave the pooled connection out of step, as a cancelled read did
    /// (issue 10); it is short, and runs once per connection.
    /// </summary>
    public static Task PrepareAsync(NpgsqlCommand command) => command.PrepareAsync(CancellationToken.None);

    public async Task<NpgsqlDataReader> ExecuteReaderAsync(CancellationToken ct)
    {
        await PrepareAsync(Command);
        return await Command.ExecuteReaderAsync(ct);
    }

    public async Task<int> ExecuteNonQueryAsync(CancellationToken ct)
    {
        await PrepareAsync(Command);
        return await Command.ExecuteNonQueryAsync(ct);
    }

    public async Task<object?> ExecuteScalarAsync(CancellationToken ct)
    {
        await PrepareAsync(Command);
        return await Command.ExecuteScalarAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Command.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
