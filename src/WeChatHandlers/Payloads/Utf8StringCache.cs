using System.Text;

namespace WeChatHandlers.Payloads;

/// <summary>
/// Remembers the strings of a few recent values that repeat on every push of an account (ToUserName),
/// so they are not allocated again per message. Lock-free: a lost race only costs one allocation.
/// </summary>
internal static class Utf8StringCache
{
    private const int Size = 8;
    private static readonly Entry?[] s_entries = new Entry?[Size];
    private static int s_next;

    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        var entries = s_entries;
        for (int i = 0; i < entries.Length; i++)
        {
            var entry = Volatile.Read(ref entries[i]);
            if (entry is not null && utf8.SequenceEqual(entry.Utf8))
            {
                return entry.Value;
            }
        }

        if (utf8.Length > 128)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var created = new Entry(utf8.ToArray(), Encoding.UTF8.GetString(utf8));
        int slot = (int)((uint)Interlocked.Increment(ref s_next) % Size);
        Volatile.Write(ref entries[slot], created);
        return created.Value;
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        public readonly byte[] Utf8 = utf8;
        public readonly string Value = value;
    }
}
