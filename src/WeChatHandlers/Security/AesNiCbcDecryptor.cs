using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace WeChatHandlers.Security;

/// <summary>
/// AES-256-CBC decryption with WeChat's fixed IV on the processor's AES instructions (AES-NI), for the one cipher call
/// every safe-mode push makes. Immutable once created, so safe for concurrent use without a pool.
/// </summary>
/// <remarks>
/// The platform's transform (<see cref="AesCbcPool"/>) does the same work with the same instructions, but each call
/// also pays OpenSSL's per-call bookkeeping (clearing the thread's error queue, context updates) and .NET's shim over
/// it: about 0.4 µs for a 432-byte message here, against 0.14 µs for this. The rounds are the hardware's, which run in
/// constant time; the key schedule is expanded once, with <c>AESKEYGENASSIST</c>, also without tables. CBC decryption
/// has no dependency between blocks, so eight are decrypted side by side to keep the AES unit busy. Where the
/// instructions are missing (<see cref="TryCreate"/> returns null) the platform's transform is used.
/// </remarks>
internal sealed class AesNiCbcDecryptor : IDisposable
{
    private const int Rounds = 14;
    private const int BlockSize = 16;

    // The decryption round keys of the equivalent inverse cipher, in the order they are applied. The last is the
    // key's first 16 bytes, which are also WeChat's IV: no second copy of them is kept.
    private readonly Vector128<byte>[] _keys = new Vector128<byte>[Rounds + 1];
    private volatile bool _disposed;

    // Key material must not outlive the call on the stack. Unoptimised (tier-0) code gives every temporary its own
    // stack slot, never cleared: the constructor, the schedule and the decryption are compiled fully optimised from
    // the first call, where round keys stay in registers (the JIT's listing of DecryptInPlace spills only ciphertext).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private AesNiCbcDecryptor(ReadOnlySpan<byte> key)
    {
        Span<Vector128<byte>> schedule = stackalloc Vector128<byte>[Rounds + 1];
        try
        {
            Expand(key, schedule);
            _keys[0] = schedule[Rounds];
            for (int i = 1; i < Rounds; i++)
            {
                _keys[i] = X86Aes.InverseMixColumns(schedule[Rounds - i]);
            }

            _keys[Rounds] = schedule[0];
        }
        finally
        {
            schedule.Clear();
        }
    }

    /// <summary>Whether this processor has the instructions (the tests also check the platform fallback's answers).</summary>
    public static bool IsSupported => X86Aes.IsSupported && Sse2.IsSupported;

    /// <summary>The decryptor for a 32-byte AES key, or null when the processor has no AES instructions.</summary>
    public static AesNiCbcDecryptor? TryCreate(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("An AES-256 key is 32 bytes.", nameof(key));
        }

        return IsSupported ? new AesNiCbcDecryptor(key) : null;
    }

    /// <summary>Decrypts the first <paramref name="length"/> bytes of <paramref name="buffer"/> in place (a whole number of blocks; no padding removed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void DecryptInPlace(byte[] buffer, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)length > (uint)buffer.Length || length % BlockSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "The length must be a whole number of AES blocks within the buffer.");
        }

        if (!IsSupported)
        {
            // Never reached (TryCreate checks), but it lets the JIT and the trimmer drop the rest where unsupported.
            throw new PlatformNotSupportedException();
        }

        var keys = _keys;
        _ = keys[Rounds]; // one bounds check for every key read below
        ref byte start = ref MemoryMarshal.GetArrayDataReference(buffer);
        // WeChat's IV is the key's first 16 bytes: the last round key.
        var previous = keys[Rounds];
        int at = 0;
        for (; at + 8 * BlockSize <= length; at += 8 * BlockSize)
        {
            ref byte b = ref Unsafe.Add(ref start, at);
            var c0 = Vector128.LoadUnsafe(ref b, 0);
            var c1 = Vector128.LoadUnsafe(ref b, 16);
            var c2 = Vector128.LoadUnsafe(ref b, 32);
            var c3 = Vector128.LoadUnsafe(ref b, 48);
            var c4 = Vector128.LoadUnsafe(ref b, 64);
            var c5 = Vector128.LoadUnsafe(ref b, 80);
            var c6 = Vector128.LoadUnsafe(ref b, 96);
            var c7 = Vector128.LoadUnsafe(ref b, 112);
            var k = keys[0];
            var x0 = c0 ^ k;
            var x1 = c1 ^ k;
            var x2 = c2 ^ k;
            var x3 = c3 ^ k;
            var x4 = c4 ^ k;
            var x5 = c5 ^ k;
            var x6 = c6 ^ k;
            var x7 = c7 ^ k;
            for (int round = 1; round < Rounds; round++)
            {
                k = keys[round];
                x0 = X86Aes.Decrypt(x0, k);
                x1 = X86Aes.Decrypt(x1, k);
                x2 = X86Aes.Decrypt(x2, k);
                x3 = X86Aes.Decrypt(x3, k);
                x4 = X86Aes.Decrypt(x4, k);
                x5 = X86Aes.Decrypt(x5, k);
                x6 = X86Aes.Decrypt(x6, k);
                x7 = X86Aes.Decrypt(x7, k);
            }

            k = keys[Rounds];
            (X86Aes.DecryptLast(x0, k) ^ previous).StoreUnsafe(ref b, 0);
            (X86Aes.DecryptLast(x1, k) ^ c0).StoreUnsafe(ref b, 16);
            (X86Aes.DecryptLast(x2, k) ^ c1).StoreUnsafe(ref b, 32);
            (X86Aes.DecryptLast(x3, k) ^ c2).StoreUnsafe(ref b, 48);
            (X86Aes.DecryptLast(x4, k) ^ c3).StoreUnsafe(ref b, 64);
            (X86Aes.DecryptLast(x5, k) ^ c4).StoreUnsafe(ref b, 80);
            (X86Aes.DecryptLast(x6, k) ^ c5).StoreUnsafe(ref b, 96);
            (X86Aes.DecryptLast(x7, k) ^ c6).StoreUnsafe(ref b, 112);
            previous = c7;
        }

        for (; at < length; at += BlockSize)
        {
            ref byte b = ref Unsafe.Add(ref start, at);
            var c = Vector128.LoadUnsafe(ref b);
            var x = c ^ keys[0];
            for (int round = 1; round < Rounds; round++)
            {
                x = X86Aes.Decrypt(x, keys[round]);
            }

            (X86Aes.DecryptLast(x, keys[Rounds]) ^ previous).StoreUnsafe(ref b);
            previous = c;
        }
    }

    /// <summary>
    /// Wipes the round keys. A call after this throws <see cref="ObjectDisposedException"/>; one already past that check
    /// on another thread may read keys being wiped and return garbage, which the caller's padding and AppId checks refuse
    /// (as for any <see cref="IDisposable"/>, disposing while in use is the caller's error).
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        Array.Clear(_keys);
    }

    /// <summary>The AES-256 key schedule (FIPS 197, 5.2): fifteen round keys, two from the key, then one pair per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Expand(ReadOnlySpan<byte> key, Span<Vector128<byte>> schedule)
    {
        var even = Vector128.Create(key[..BlockSize]);
        var odd = Vector128.Create(key[BlockSize..]);
        schedule[0] = even;
        schedule[1] = odd;

        // Each step: the even key takes RotWord(SubWord(w)) ^ rcon of the odd key's last word w (AESKEYGENASSIST's
        // fourth word), the odd key SubWord(w) of the new even key's last word, without rotation or rcon (its third).
        // The round constants are spelled out: the instruction takes its constant as an immediate.
        schedule[2] = even = Mix(even, Fourth(X86Aes.KeygenAssist(odd, 0x01)));
        schedule[3] = odd = Mix(odd, Third(X86Aes.KeygenAssist(even, 0)));
        schedule[4] = even = Mix(even, Fourth(X86Aes.KeygenAssist(odd, 0x02)));
        schedule[5] = odd = Mix(odd, Third(X86Aes.KeygenAssist(even, 0)));
        schedule[6] = even = Mix(even, Fourth(X86Aes.KeygenAssist(odd, 0x04)));
        schedule[7] = odd = Mix(odd, Third(X86Aes.KeygenAssist(even, 0)));
        schedule[8] = even = Mix(even, Fourth(X86Aes.KeygenAssist(odd, 0x08)));
        schedule[9] = odd = Mix(odd, Third(X86Aes.KeygenAssist(even, 0)));
        schedule[10] = even = Mix(even, Fourth(X86Aes.KeygenAssist(odd, 0x10)));
        schedule[11] = odd = Mix(odd, Third(X86Aes.KeygenAssist(even, 0)));
        schedule[12] = even = Mix(even, Fourth(X86Aes.KeygenAssist(odd, 0x20)));
        schedule[13] = odd = Mix(odd, Third(X86Aes.KeygenAssist(even, 0)));
        schedule[14] = Mix(even, Fourth(X86Aes.KeygenAssist(odd, 0x40)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Fourth(Vector128<byte> words) => Sse2.Shuffle(words.AsInt32(), 0xFF).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Third(Vector128<byte> words) => Sse2.Shuffle(words.AsInt32(), 0xAA).AsByte();

    // Each word of the next key is the running XOR of the previous key's words up to it, XORed with the assist word.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Mix(Vector128<byte> previous, Vector128<byte> assist)
    {
        previous ^= Sse2.ShiftLeftLogical128BitLane(previous, 4);
        previous ^= Sse2.ShiftLeftLogical128BitLane(previous, 4);
        previous ^= Sse2.ShiftLeftLogical128BitLane(previous, 4);
        return previous ^ assist;
    }
}
