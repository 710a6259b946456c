using System.Text.Json;
using GitTorrent.Engine;
using GitTorrent.Engine.Names;
using GitTorrent.Indexer.Names;

namespace GitTorrent.Indexer.Tests.Names;

public sealed class NameApiResponseTests
{
    [Fact]
    public void Serialises_to_the_api_shape()
    {
        var alice = Hash20.Parse("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        var salt = new byte[16];
        var txid = new string('1', 64);
        var block10 = new string('a', 64);
        var block12 = new string('c', 64);
        NameEntry[] entries =
        [
            new(new NamePosition(10, 1, 0), txid, block10, NameEntryPayload.Preorder(NamePayload.ComputeCommitment("cjb", alice, salt))),
            new(new NamePosition(12, 3, 1), txid.Replace('1', '2'), block12, NameEntryPayload.Register("cjb", alice, salt)),
        ];
        var response = NameApiResponse.From(NameOwnershipResolver.Resolve("cjb", entries, 20, 1));
        var json = JsonSerializer.Serialize(response);
        Assert.Equal(
            "{\"name\":\"cjb\",\"owner\":\"" + alice + "\",\"status\":\"settling\",\"entries\":["
            + "{\"kind\":\"PREORDER\",\"txid\":\"" + txid + "\",\"vout\":0,\"height\":10,\"blockHash\":\"" + block10
            + "\",\"keyHash\":null,\"valid\":true,\"reason\":\"preorder of the owner\"},"
            + "{\"kind\":\"REGISTER\",\"txid\":\"" + txid.Replace('1', '2') + "\",\"vout\":1,\"height\":12,\"blockHash\":\"" + block12
            + "\",\"keyHash\":\"" + alice + "\",\"valid\":true,\"reason\":\"owner\"}]}",
            json);

        var empty = JsonSerializer.Serialize(NameApiResponse.From(NameOwnershipResolver.Resolve("cjb", [], 20, 1)));
        Assert.Equal("{\"name\":\"cjb\",\"owner\":null,\"status\":\"pending\",\"entries\":[]}", empty);
    }
}
