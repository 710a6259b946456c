namespace GitTorrent.Fuzz;

/// <summary>
/// One fuzz entry point: a parser of bytes from the network or the chain. <see cref="Run"/> throws only for a bug:
/// the parser's documented "bad input" outcome (a false TryDecode, the exception its contract names) is caught inside,
/// anything else escapes and AFL records the input as a crash. <see cref="Seeds"/> are valid inputs made by the
/// project's own encoders (the hand-made seeds are files in <c>fuzz/corpus/&lt;name&gt;/</c>).
/// </summary>
public sealed record FuzzTarget(string Name, string Parser, Action<byte[]> Run, Func<IEnumerable<byte[]>> Seeds);
