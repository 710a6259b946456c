using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitTorrent.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UserDiscovery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "UpdatedAt",
                table: "users",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Existing users: their last seen time stands in for the unknown time of their last seq change.
            migrationBuilder.Sql("""UPDATE users SET "UpdatedAt" = "LastSeen";""");

            migrationBuilder.CreateTable(
                name: "peer_feeds",
                columns: table => new
                {
                    BaseUrl = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Cursor = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    IdsSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    LastReadAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CaughtUpAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_peer_feeds", x => x.BaseUrl);
                });

            migrationBuilder.CreateIndex(
                name: "IX_users_UpdatedAt_UserId",
                table: "users",
                columns: new[] { "UpdatedAt", "UserId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "peer_feeds");

            migrationBuilder.DropIndex(
                name: "IX_users_UpdatedAt_UserId",
                table: "users");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "users");
        }
    }
}
