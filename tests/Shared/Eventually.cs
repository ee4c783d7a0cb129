using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace WeChatHandlers.Tests.Shared;

/// <summary>
/// Waiting in tests without depending on which thread gets the CPU first: a condition is polled until it holds,
/// and a fake clock is advanced in small steps until it holds (never once on a guess: the timer a test wants to
/// fire may be armed a moment after the test's last observation). The real-time bound only turns a hang into a
/// failure; it never decides a pass.
/// </summary>
public static class Eventually
{
    /// <summary>How long a test waits before calling a condition that never held a failure.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <see cref="Bound"/>.</summary>
    public static async Task HoldsAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Bound, $"{what}: still not true after {Bound.TotalSeconds} s");
            await Task.Delay(10);
        }
    }

    /// <summary>Polls an asynchronous <paramref name="condition"/> until it holds.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < Bound, $"{what}: still not true after {Bound.TotalSeconds} s");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> at a time until <paramref name="condition"/> holds,
    /// yielding between steps so that work woken by a timer can run. Returns how far the clock moved.
    /// </summary>
    public static async Task<TimeSpan> AdvanceUntilAsync(FakeTimeProvider time, TimeSpan step, Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        var moved = TimeSpan.Zero;
        while (!condition())
        {
            Assert.True(waited.Elapsed < Bound, $"{what}: still not true after {Bound.TotalSeconds} s and {moved} of fake time");
            time.Advance(step);
            moved += step;
            await Task.Delay(5);
        }

        return moved;
    }
}
