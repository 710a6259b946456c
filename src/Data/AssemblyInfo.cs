namespace GitTorrent.Data;

internal static class AssemblyInfo;
