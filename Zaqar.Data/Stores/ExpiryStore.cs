using Npgsql;
using Zaqar.Data.Pools;

namespace Zaqar.Data.Stores;

/// <summary>
/// Removes expired rows. Reads already hide them at once (every query filters on expiry); this only reclaims
/// space, in bounded batches so one sweep never holds locks for long.
/// </summary>
/// <remarks>
/// Each database (the primary and each pool, issue #6) is swept on its own. Hand-written Npgsql batch deletes, not EF Core
/// (issue 12 item 11): bounded bulk deletes EF can't say. Singleton; stateless.
/// </remarks>
public sealed class ExpiryStore
{
    /// <summary>Deletes up to <paramref name="batchSize"/> expired messages and expired claims of <paramref name="target"/>.</summary>
    /// <returns>How many messages and claims were deleted.</returns>
    public async Task<(int Messages, int Claims)> SweepAsync(PoolTarget target, DateTime now, int batchSize, CancellationToken ct)
    {
        var batch = target.DataSource.CreateBatch();
        await using (batch)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                DELETE FROM messages WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM messages WHERE expires_at <= @now LIMIT @batch FOR UPDATE SKIP LOCKED))
                """));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                DELETE FROM claims WHERE id = ANY(ARRAY(
                    SELECT id FROM claims WHERE expires_at <= @now LIMIT @batch FOR UPDATE SKIP LOCKED))
                """));
            foreach (NpgsqlBatchCommand command in batch.BatchCommands)
            {
                command.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
                command.Parameters.Add(new NpgsqlParameter<int>("batch", batchSize));
            }
            await batch.ExecuteNonQueryAsync(ct);
            return (batch.BatchCommands[0].RecordsAffected, batch.BatchCommands[1].RecordsAffected);
        }
    }
}
