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
/// Callers add parameters by name; they go to the statement in the positions of its rewritten text
/// (<see cref="PositionalSql"/>), so Npgsql sends the text without parsing it on each call.
/// </remarks>
internal sealed class PreparedCommand : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly PositionalSql _statement;
    private bool _positioned;

    private PreparedCommand(NpgsqlConnection connection, string sql)
    {
        _connection = connection;
        _statement = PositionalSql.Of(sql);
        Command = new NpgsqlCommand(_statement.Text, connection);
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

    /// <summary>
    /// Puts the parameters added by name in their positions (once); a name the text uses but no parameter has throws,
    /// as Npgsql would. Parameters the text does not use are left out, as Npgsql leaves them.
    /// </summary>
    private void Position()
    {
        if (_positioned)
        {
            return;
        }
        var parameters = Command.Parameters;
        var ordered = new NpgsqlParameter[_statement.Names.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            var index = parameters.IndexOf(_statement.Names[i]);
            ordered[i] = index >= 0 ? parameters[index] : throw new InvalidOperationException(
                $"No parameter was added for @{_statement.Names[i]} of the statement {_statement.Text}");
        }
        parameters.Clear();
        foreach (var parameter in ordered)
        {
            parameter.ParameterName = string.Empty;
            parameters.Add(parameter);
        }
        _positioned = true;
    }

    private Task ReadyAsync()
    {
        Position();
        return PrepareAsync(Command);
    }

    public async Task<NpgsqlDataReader> ExecuteReaderAsync(CancellationToken ct)
    {
        await ReadyAsync();
        return await Command.ExecuteReaderAsync(ct);
    }

    public async Task<int> ExecuteNonQueryAsync(CancellationToken ct)
    {
        await ReadyAsync();
        return await Command.ExecuteNonQueryAsync(ct);
    }

    public async Task<object?> ExecuteScalarAsync(CancellationToken ct)
    {
        await ReadyAsync();
        return await Command.ExecuteScalarAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Command.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
