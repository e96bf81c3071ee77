using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Zaqar.Data.Migrations
{
    /// <inheritdoc />
    public partial class QueueSettingsColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "dead_letter_queue",
                table: "queues",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "dead_letter_queue_messages_ttl",
                table: "queues",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "default_message_delay",
                table: "queues",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "default_message_ttl",
                table: "queues",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "encrypt_messages",
                table: "queues",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "max_claim_count",
                table: "queues",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "max_messages_post_size",
                table: "queues",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "retry_policy",
                table: "queues",
                type: "jsonb",
                nullable: true);

            // Backfill from the metadata of queues written before the columns (issue 12 item 5), with the meaning the API
            // layer gives the keys (QueueMetadata.Settings): Python truthiness (0, "", false: unset), ttl/size/delay only as
            // int32 integers, counts past int32 clamped ("never", as the claim statement did), non-numbers ignored.
            migrationBuilder.Sql(
                $"""
                UPDATE queues SET
                    default_message_ttl = {Int32Setting("_default_message_ttl")},
                    max_messages_post_size = {Int32Setting("_max_messages_post_size")},
                    default_message_delay = {Int32Setting("_default_message_delay")},
                    encrypt_messages = COALESCE(metadata -> '_enable_encrypt_messages' = 'true'::jsonb, false),
                    max_claim_count = {ClampedCount("_max_claim_count")},
                    dead_letter_queue = CASE WHEN jsonb_typeof(metadata -> '_dead_letter_queue') = 'string'
                        THEN NULLIF(metadata ->> '_dead_letter_queue', '') END,
                    dead_letter_queue_messages_ttl = {ClampedCount("_dead_letter_queue_messages_ttl")},
                    retry_policy = CASE WHEN jsonb_typeof(metadata -> '_retry_policy') = 'object' THEN metadata -> '_retry_policy' END
                WHERE metadata <> jsonb_build_object()
                """);
        }

        /// <summary>A key that counts only as a nonzero int32 integer (QueueMetadata.Settings reads it so).</summary>
        private static string Int32Setting(string key) =>
            $"""
            CASE WHEN jsonb_typeof(metadata -> '{key}') = 'number'
                AND (metadata ->> '{key}')::numeric = trunc((metadata ->> '{key}')::numeric)
                AND (metadata ->> '{key}')::numeric BETWEEN -2147483648 AND 2147483647
                THEN NULLIF((metadata ->> '{key}')::numeric::int, 0) END
            """;

        /// <summary>A count: any nonzero number, clamped to int32 (past it means "never", issue 10).</summary>
        private static string ClampedCount(string key) =>
            $"""
            CASE WHEN jsonb_typeof(metadata -> '{key}') = 'number'
                THEN NULLIF(GREATEST(LEAST((metadata ->> '{key}')::numeric, 2147483647), -2147483648)::int, 0) END
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "dead_letter_queue",
                table: "queues");

            migrationBuilder.DropColumn(
                name: "dead_letter_queue_messages_ttl",
                table: "queues");

            migrationBuilder.DropColumn(
                name: "default_message_delay",
                table: "queues");

            migrationBuilder.DropColumn(
                name: "default_message_ttl",
                table: "queues");

            migrationBuilder.DropColumn(
                name: "encrypt_messages",
                table: "queues");

            migrationBuilder.DropColumn(
                name: "max_claim_count",
                table: "queues");

            migrationBuilder.DropColumn(
                name: "max_messages_post_size",
                table: "queues");

            migrationBuilder.DropColumn(
                name: "retry_policy",
                table: "queues");
        }
    }
}
