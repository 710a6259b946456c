using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitTorrent.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class UserDiscovery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "UpdatedAt",
                table: "users",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            // Existing users: their last seen time stands in for the unknown time of their last seq change.
            migrationBuilder.Sql("""UPDATE users SET "UpdatedAt" = "LastSeen";""");

            migrationBuilder.CreateTable(
                name: "peer_feeds",
                columns: table => new
                {
                    BaseUrl = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Cursor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    IdsSeen = table.Column<long>(type: "bigint", nullable: false),
                    LastReadAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CaughtUpAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
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
