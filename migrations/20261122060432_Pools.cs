using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Zaqar.Data.Migrations
{
    /// <inheritdoc />
    public partial class Pools : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "flavors",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_flavors", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "pools",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    uri = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    weight = table.Column<long>(type: "bigint", nullable: false),
                    flavor = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    options = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'{}'::jsonb")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pools", x => x.name);
                    table.ForeignKey(
                        name: "fk_pools_flavors",
                        column: x => x.flavor,
                        principalTable: "flavors",
                        principalColumn: "name",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "catalogue",
                columns: table => new
                {
                    project = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    kind = table.Column<short>(type: "smallint", nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    pool = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    listed = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_catalogue", x => new { x.project, x.kind, x.name });
                    table.ForeignKey(
                        name: "fk_catalogue_pools",
                        column: x => x.pool,
                        principalTable: "pools",
                        principalColumn: "name",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_catalogue_pool",
                table: "catalogue",
                column: "pool");

            migrationBuilder.CreateIndex(
                name: "ix_pools_flavor",
                table: "pools",
                column: "flavor");

            migrationBuilder.CreateIndex(
                name: "ux_pools_uri",
                table: "pools",
                column: "uri",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "catalogue");

            migrationBuilder.DropTable(
                name: "pools");

            migrationBuilder.DropTable(
                name: "flavors");
        }
    }
}
