using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Zaqar.Data.Migrations
{
    /// <inheritdoc />
    public partial class QueueKinds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ux_queues_project_name",
                table: "queues");

            migrationBuilder.AddColumn<short>(
                name: "kind",
                table: "queues",
                type: "smallint",
                nullable: false,
                defaultValue: (short)0);

            migrationBuilder.CreateIndex(
                name: "ux_queues_project_kind_name",
                table: "queues",
                columns: new[] { "project", "kind", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ux_queues_project_kind_name",
                table: "queues");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "queues");

            migrationBuilder.CreateIndex(
                name: "ux_queues_project_name",
                table: "queues",
                columns: new[] { "project", "name" },
                unique: true);
        }
    }
}
