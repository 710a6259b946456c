using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitTorrent.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "chain_state",
                columns: table => new
                {
                    Chain = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Height = table.Column<int>(type: "INTEGER", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_chain_state", x => x.Chain);
                });

            migrationBuilder.CreateTable(
                name: "mirrors",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OriginUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    SyncInterval = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    LastSync = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    BytesServed = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mirrors", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "name_registrations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    KeyHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Commitment = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Salt = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Txid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Vout = table.Column<int>(type: "INTEGER", nullable: false),
                    BlockHeight = table.Column<int>(type: "INTEGER", nullable: true),
                    BlockHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    TxIndex = table.Column<int>(type: "INTEGER", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Valid = table.Column<bool>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_name_registrations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "portal_admins",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PasswordHash = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    MustChangePassword = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_portal_admins", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "processed_blocks",
                columns: table => new
                {
                    Chain = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Height = table.Column<int>(type: "INTEGER", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ProcessedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_processed_blocks", x => new { x.Chain, x.Height });
                });

            migrationBuilder.CreateTable(
                name: "seeded_packs",
                columns: table => new
                {
                    InfoHash = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Commit = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    BytesUploaded = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_seeded_packs", x => x.InfoHash);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PublicKey = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    Seq = table.Column<long>(type: "INTEGER", nullable: false),
                    RawProfile = table.Column<byte[]>(type: "BLOB", maxLength: 4096, nullable: false),
                    Signature = table.Column<byte[]>(type: "BLOB", maxLength: 64, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    FirstSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    NextCrawl = table.Column<long>(type: "INTEGER", nullable: true),
                    CrawlFailures = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_users", x => x.UserId);
                });

            migrationBuilder.CreateTable(
                name: "repositories",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Head = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    LastUpdated = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_repositories", x => x.Id);
                    table.ForeignKey(
                        name: "FK_repositories_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "UserId",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "refs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepositoryId = table.Column<long>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_refs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_refs_repositories_RepositoryId",
                        column: x => x.RepositoryId,
                        principalTable: "repositories",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_mirrors_Name",
                table: "mirrors",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_name_registrations_BlockHeight",
                table: "name_registrations",
                column: "BlockHeight");

            migrationBuilder.CreateIndex(
                name: "IX_name_registrations_Commitment",
                table: "name_registrations",
                column: "Commitment");

            migrationBuilder.CreateIndex(
                name: "IX_name_registrations_KeyHash",
                table: "name_registrations",
                column: "KeyHash");

            migrationBuilder.CreateIndex(
                name: "IX_name_registrations_Name",
                table: "name_registrations",
                column: "Name");

            migrationBuilder.CreateIndex(
                name: "IX_name_registrations_Txid_Vout",
                table: "name_registrations",
                columns: new[] { "Txid", "Vout" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_portal_admins_UserName",
                table: "portal_admins",
                column: "UserName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_refs_RepositoryId_Name",
                table: "refs",
                columns: new[] { "RepositoryId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_refs_Target",
                table: "refs",
                column: "Target");

            migrationBuilder.CreateIndex(
                name: "IX_repositories_LastUpdated",
                table: "repositories",
                column: "LastUpdated");

            migrationBuilder.CreateIndex(
                name: "IX_repositories_Name",
                table: "repositories",
                column: "Name");

            migrationBuilder.CreateIndex(
                name: "IX_repositories_UserId_Name",
                table: "repositories",
                columns: new[] { "UserId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_seeded_packs_Commit",
                table: "seeded_packs",
                column: "Commit");

            migrationBuilder.CreateIndex(
                name: "IX_users_DisplayName",
                table: "users",
                column: "DisplayName");

            migrationBuilder.CreateIndex(
                name: "IX_users_LastSeen",
                table: "users",
                column: "LastSeen");

            migrationBuilder.CreateIndex(
                name: "IX_users_NextCrawl",
                table: "users",
                column: "NextCrawl");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "chain_state");

            migrationBuilder.DropTable(
                name: "mirrors");

            migrationBuilder.DropTable(
                name: "name_registrations");

            migrationBuilder.DropTable(
                name: "portal_admins");

            migrationBuilder.DropTable(
                name: "processed_blocks");

            migrationBuilder.DropTable(
                name: "refs");

            migrationBuilder.DropTable(
                name: "seeded_packs");

            migrationBuilder.DropTable(
                name: "repositories");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
