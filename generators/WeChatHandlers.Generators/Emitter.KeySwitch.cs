using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace WeChatHandlers.Generators;

internal static partial class Emitter
{
    /// <summary>
    /// Matches <paramref name="span"/> against constant keys: a switch on the length, then, where several keys share a
    /// length, switches on the byte positions that split them best until one candidate is left, then its <c>SequenceEqual</c>.
    /// <c>"…"u8</c> literals are not constants, so they cannot be case labels themselves.
    /// </summary>
    private static void WriteKeySwitch(SourceWriter w, string span, List<Key> keys)
    {
        w.Open($"switch ({span}.Length)");
        foreach (var bucket in keys.GroupBy(k => k.Utf8.Length).OrderBy(g => g.Key))
        {
            w.Line($"case {bucket.Key}:");
            w.Indent();
            WriteCandidates(w, span, bucket.ToList());
            w.Line("break;");
            w.Outdent();
        }

        w.Close();
    }

    /// <summary>
    /// Keys of one length: switch on the byte position that splits them best, and again inside every group that still
    /// holds several keys, so each path ends in one <c>SequenceEqual</c>. A single split left groups of keys that share
    /// that byte (<c>event_001</c> … <c>event_256</c> split on the last digit leave ~26 per group) to a linear chain of
    /// comparisons, and dispatch cost grew with the number of handlers.
    /// </summary>
    private static void WriteCandidates(SourceWriter w, string span, List<Key> candidates)
    {
        int position = candidates.Count == 1 ? -1 : BestSplit(candidates);
        if (position < 0)
        {
            foreach (var key in candidates)
            {
                w.Block($$"""
                    if ({{Memory}}.SequenceEqual({{span}}, {{Literal(key.Text)}}u8))
                    {
                        {{key.Action}}
                    }
                    """);
            }

            return;
        }

        w.Open($"switch ({span}[{position}])");
        foreach (var group in candidates.GroupBy(k => k.Utf8[position]).OrderBy(g => g.Key))
        {
            w.Line($"case {ByteLiteral(group.Key)}:");
            w.Indent();
            WriteCandidates(w, span, group.ToList());
            w.Line("break;");
            w.Outdent();
        }

        w.Close();
    }

    /// <summary>The position with the most distinct bytes, or -1 when no position tells the keys apart.</summary>
    private static int BestSplit(List<Key> keys)
    {
        int best = -1;
        int bestDistinct = 1;
        for (int i = 0; i < keys[0].Utf8.Length; i++)
        {
            int distinct = keys.Select(k => k.Utf8[i]).Distinct().Count();
            if (distinct > bestDistinct)
            {
                (best, bestDistinct) = (i, distinct);
            }
        }

        return best;
    }

    private static string ByteLiteral(byte value) =>
        (value >= (byte)'a' && value <= (byte)'z') || (value >= (byte)'A' && value <= (byte)'Z') || (value >= (byte)'0' && value <= (byte)'9') || value == (byte)'_'
            ? $"(byte)'{(char)value}'"
            : $"0x{value:X2}";

    /// <summary>A key to match and the statement that runs on a match.</summary>
    private sealed class Key
    {
        public Key(string text, string action)
        {
            Text = text;
            Action = action;
            Utf8 = Encoding.UTF8.GetBytes(text);
        }

        public string Text { get; }

        public string Action { get; }

        public byte[] Utf8 { get; }
    }
}
