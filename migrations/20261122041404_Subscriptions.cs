using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Zaqar.Data.Migrations
{
    /// <inheritdoc />
    public partial class Subscriptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "subscriptions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    kind = table.Column<short>(type: "smallint", nullable: false),
                    queue_name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    subscriber = table.Column<string>(type: "text", nullable: false),
                    subscriber_type = table.Column<short>(type: "smallint", nullable: false),
                    ttl = table.Column<int>(type: "integer", nullable: false),
                    options = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'{}'::jsonb"),
                    confirmed = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    delivered_count = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    failed_count = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    last_error_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_delivered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subscriptions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    subscription_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<short>(type: "smallint", nullable: false),
                    message_id = table.Column<Guid>(type: "uuid", nullable: true),
                    body = table.Column<string>(type: "json", nullable: false),
                    encrypted = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    ttl = table.Column<int>(type: "integer", nullable: false),
                    delay = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    lease = table.Column<Guid>(type: "uuid", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_notifications_subscriptions",
                        column: x => x.subscription_id,
                        principalTable: "subscriptions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_due_at",
                table: "notifications",
                column: "due_at");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_subscription_id",
                table: "notifications",
                column: "subscription_id");

            migrationBuilder.CreateIndex(
                name: "ix_subscriptions_expires_at",
                table: "subscriptions",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_subscriptions_source_id",
                table: "subscriptions",
                columns: new[] { "project", "kind", "queue_name", "id" });

            migrationBuilder.CreateIndex(
                name: "ux_subscriptions_source_subscriber",
                table: "subscriptions",
                columns: new[] { "project", "kind", "queue_name", "subscriber" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropTable(
                name: "subscriptions");
        }
    }
}
