using System.Security.Cryptography;
using System.Text;

namespace GitTorrent.Data.Jobs;

/// <summary>The default name of a replica: host name and a hash of its data folder (several replicas on one host differ).</summary>
public static class ReplicaName
{
    public static string Default(string dataDirectory)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..8];
        var host = Environment.MachineName;
        return (host.Length > 60 ? host[..60] : host) + "-" + hash;
    }
}
