namespace GitTorrent.TestSupport;

/// <summary>
/// An <see cref="IProgress{T}"/> that handles each report on the thread that reports it, before <c>Report</c> returns
/// (<see cref="Progress{T}"/> would post it to the thread pool, so a test could see it late or out of order).
/// </summary>
public sealed class InlineProgress<T>(Action<T> handle) : IProgress<T>
{
    public void Report(T value) => handle(value);
}
