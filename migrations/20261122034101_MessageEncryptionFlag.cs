using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Zaqar.Data.Migrations
{
    /// <inheritdoc />
    public partial class MessageEncryptionFlag : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "encrypted",
                table: "messages",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "encrypted",
                table: "messages");
        }
    }
}
