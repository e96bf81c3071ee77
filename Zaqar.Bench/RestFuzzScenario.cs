using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Zaqar.Hub.Tests.Rest.Fuzzing;

namespace Zaqar.Bench;

/// <summary>
/// The long REST fuzz run of issue 10: the suite's <see cref="RestFuzzer"/> (linked from the test project) against a node
/// of its own on fresh databases of the bench's PostgreSQL, configured as <see cref="RestFuzzer.ServiceSettings"/> says.
/// A fresh seed each run unless --seed replays one.
/// </summary>
internal static class RestFuzzScenario
{
    public static async Task<RestFuzzReport> RunAsync(BenchHost host, BenchOptions options)
    {
        var seed = options.Seed ?? Environment.TickCount;
        var primary = await CreateDatabaseAsync(host.ConnectionString, $"zaqar_fuzz_{(uint)seed:x8}");
        var pool = await CreateDatabaseAsync(host.ConnectionString, $"zaqar_fuzz_pool_{(uint)seed:x8}");
        var (address, services) = await host.AddNodeAsync(primary, RestFuzzer.ServiceSettings);
        Console.WriteLine($"REST fuzz: up to {options.RestFuzzCases:N0} cases or {options.RestFuzzTime.TotalMinutes:N0} min, seed {seed}, " +
            $"{options.Connections} workers, against {address}");
        var target = new RestFuzzTarget(address, services.GetRequiredService<EndpointDataSource>(), primary, pool);
        return await RestFuzzer.RunAsync(target, new RestFuzzOptions
        {
            Cases = options.RestFuzzCases,
            Seed = seed,
            Workers = options.Connections,
            TimeLimit = options.RestFuzzTime,
            Progress = Console.WriteLine,
        }, CancellationToken.None);
    }

    /// <summary>(Re)creates an empty database in the bench's cluster; returns its connection string.</summary>
    private static async Task<string> CreateDatabaseAsync(string connectionString, string name)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        builder.Database = name;
        builder.Pooling = true;
        return builder.ConnectionString;
    }
}
