using System.Text.Json;

namespace GitTorrent.Engine.Names;

/// <summary>
/// Sends one OP_RETURN output through a Bitcoin Core-compatible wallet: createrawtransaction (no inputs,
/// one <c>data</c> output) → fundrawtransaction → signrawtransactionwithwallet → sendrawtransaction.
/// bcoin 1.0.2 cannot do this (createrawtransaction refuses zero inputs); the exception then says so.
/// </summary>
public sealed class BitcoinWalletRpc(BitcoinRpc rpc)
{
    public BitcoinRpc Rpc { get; } = rpc;

    /// <summary>Builds, funds, signs and broadcasts a transaction carrying <paramref name="payload"/>; returns the txid.</summary>
    public async Task<string> SendOpReturnAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (payload.Length > NamePayload.MaxPayloadLength)
        {
            throw new ArgumentException($"An OP_RETURN payload is at most {NamePayload.MaxPayloadLength} bytes.", nameof(payload));
        }
        var dataHex = Convert.ToHexStringLower(payload.Span);
        var raw = await Rpc.CallAsync("createrawtransaction", [new System.Text.Json.Nodes.JsonArray(), new System.Text.Json.Nodes.JsonObject { ["data"] = dataHex }], ct)
            .ConfigureAwait(false);
        var rawHex = raw.ValueKind == JsonValueKind.String ? raw.GetString()! : throw Rpc.Malformed("createrawtransaction", "result");

        var funded = await Rpc.CallAsync("fundrawtransaction", [rawHex], ct).ConfigureAwait(false);
        var fundedHex = Rpc.ReadString(funded, "hex", "fundrawtransaction");

        var signed = await Rpc.CallAsync("signrawtransactionwithwallet", [fundedHex], ct).ConfigureAwait(false);
        var signedHex = Rpc.ReadString(signed, "hex", "signrawtransactionwithwallet");
        if (!signed.TryGetProperty("complete", out var complete) || complete.ValueKind != JsonValueKind.True)
        {
            throw new BitcoinRpcException(
                $"The wallet at {Rpc.Url} could not sign every input (signrawtransactionwithwallet complete=false); is it unlocked?",
                Rpc.Url, "signrawtransactionwithwallet");
        }
        return await Rpc.SendRawTransactionAsync(signedHex, ct).ConfigureAwait(false);
    }
}
