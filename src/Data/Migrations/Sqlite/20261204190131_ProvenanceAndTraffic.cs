using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitTorrent.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ProvenanceAndTraffic : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "origin_checks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Repository = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OriginUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DifferingRefs = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CheckedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_origin_checks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "repository_traffic",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Repository = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SwarmBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    HttpBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    OriginBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_repository_traffic", x => new { x.UserId, x.Repository });
                });

            migrationBuilder.CreateTable(
                name: "traffic_samples",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Repository = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SwarmBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    HttpBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    OriginBytes = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_traffic_samples", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_origin_checks_UserId_Repository",
                table: "origin_checks",
                columns: new[] { "UserId", "Repository" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_traffic_samples_At",
                table: "traffic_samples",
                column: "At");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "origin_checks");

            migrationBuilder.DropTable(
                name: "repository_traffic");

            migrationBuilder.DropTable(
                name: "traffic_samples");
        }
    }
}
