using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GitTorrent.Engine.Torrents.Storage;

/// <summary>
/// Where a file holds data (Linux <c>lseek</c> SEEK_DATA / SEEK_HOLE). A download writes pieces out of order without
/// preallocating, so the never-written pieces are holes and a resume need not read them.
/// </summary>
internal static partial class SparseFile
{
    private const int SeekData = 3;
    private const int SeekHole = 4;

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long LSeek(int fd, long offset, int whence);

    /// <summary>The data ranges of the file as (start, end) pairs; the whole file when holes cannot be asked for.</summary>
    public static List<(long Start, long End)> DataRanges(SafeFileHandle handle, long length)
    {
        var whole = new List<(long, long)> { (0, length) };
        if (!OperatingSystem.IsLinux() || length == 0)
        {
            return whole;
        }
        var ranges = new List<(long, long)>();
        var fd = (int)handle.DangerousGetHandle();
        long position = 0;
        while (position < length)
        {
            var data = LSeek(fd, position, SeekData);
            if (data < 0)
            {
                // ENXIO: no data after position; anything else: the file system cannot tell, so read everything
                return Marshal.GetLastPInvokeError() == 6 ? ranges : whole;
            }
            var hole = LSeek(fd, data, SeekHole);
            if (hole < 0)
            {
                return whole;
            }
            ranges.Add((data, Math.Min(hole, length)));
            position = hole;
        }
        return ranges;
    }
}
