using System.Net;
using System.Net.Sockets;
using System.Text;
using GitTorrent.Engine.Wire;
using GitTorrent.Engine.Wire.Extensions;

namespace GitTorrent.Engine.Tests.Wire;

public sealed class ExtensionHandshakeTests : IAsyncLifetime
{
    private Socket _listener = null!;
    private Socket _other = null!;
    private PeerConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        _other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await _other.ConnectAsync(_listener.LocalEndPoint!).WaitAsync(TimeSpan.FromSeconds(10));
        var accepted = await _listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _connection = new PeerConnection(accepted, isOutbound: false, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        _other.Dispose();
        _listener.Dispose();
    }

    [Fact]
    public void Our_handshake_lists_extensions_reqq_and_client_name()
    {
        var registry = new ExtensionRegistry();
        registry.Register(new UtMetadataExtension());
        var bytes = registry.BuildHandshake(_connection, "GT", 6881);
        Assert.Equal("d1:md11:ut_metadatai1ee1:pi6881e4:reqqi500e1:v2:GTe", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public async Task Remote_handshake_sets_ids_client_and_drops_extensions_with_id_zero()
    {
        var registry = new ExtensionRegistry();
        var payload = Encoding.ASCII.GetBytes("d1:md13:ut_gittorrenti0e11:ut_metadatai3ee13:metadata_sizei100e4:reqqi250e1:v4:abcde");
        var dict = registry.ApplyRemoteHandshake(_connection, payload);

        Assert.Equal(3, _connection.RemoteExtensions["ut_metadata"]);
        Assert.False(_connection.RemoteExtensions.ContainsKey("ut_gittorrent"));
        Assert.Equal("abcd", _connection.RemoteClient);
        Assert.Equal(250, dict.GetInteger("reqq"));
        Assert.Same(dict, await _connection.RemoteExtensionHandshake.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(_connection.SendExtended("ut_gittorrent", new byte[1]));
    }

    [Theory]
    [InlineData("le")]
    [InlineData("d1:m")]
    [InlineData("i3e")]
    public void Malformed_remote_handshake_is_a_protocol_violation(string text) =>
        Assert.Throws<ProtocolViolationException>(() =>
            new ExtensionRegistry().ApplyRemoteHandshake(_connection, Encoding.ASCII.GetBytes(text)));
}
