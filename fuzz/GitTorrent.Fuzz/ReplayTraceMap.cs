using System.Runtime.InteropServices;

namespace GitTorrent.Fuzz;

/// <summary>
/// Instrumented assemblies write each branch they take into AFL's 64 KiB map; outside afl-fuzz there is none, so a
/// replay of inputs gives them a private one (without it the first instrumented branch writes through a null pointer).
/// </summary>
public static class ReplayTraceMap
{
    /// <summary>AFL's map size (MAP_SIZE), which SharpFuzz's instrumentation indexes into.</summary>
    private const int MapSize = 1 << 16;

    public static unsafe void Install()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(MapSize);
        }
    }
}
