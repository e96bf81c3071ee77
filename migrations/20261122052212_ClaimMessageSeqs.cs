using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Zaqar.Data.Migrations
{
    /// <inheritdoc />
    public partial class ClaimMessageSeqs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long[]>(
                name: "message_seqs",
                table: "claims",
                type: "bigint[]",
                nullable: false,
                defaultValueSql: "'{}'::bigint[]");

            // Claims made before this migration: record their messages while the claim_id index still exists.
            migrationBuilder.Sql(
                "UPDATE claims c SET message_seqs = ARRAY(SELECT m.seq FROM messages m WHERE m.queue_id = c.queue_id AND m.claim_id = c.id ORDER BY m.seq)");

            migrationBuilder.DropIndex(
                name: "ix_messages_claim_id",
                table: "messages");

            migrationBuilder.AlterTable(
                name: "messages")
                .Annotation("Npgsql:StorageParameter:fillfactor", 85);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "message_seqs",
                table: "claims");

            migrationBuilder.AlterTable(
                name: "messages")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 85);

            migrationBuilder.CreateIndex(
                name: "ix_messages_claim_id",
                table: "messages",
                column: "claim_id",
                filter: "claim_id IS NOT NULL");
        }
    }
}
