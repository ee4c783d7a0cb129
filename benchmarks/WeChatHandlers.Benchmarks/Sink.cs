using System.Runtime.CompilerServices;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// Where every handler, ours and the baselines', puts what it read, so the JIT cannot drop the reads
/// and every side does the same work after binding.
/// </summary>
public static class Sink
{
    private static long s_value;

    public static long Value => s_value;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Take(string? to, string? from, string? body, long number) =>
        s_value += (to?.Length ?? 0) + (from?.Length ?? 0) + (body?.Length ?? 0) + number;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Take(long number) => s_value += number;
}
