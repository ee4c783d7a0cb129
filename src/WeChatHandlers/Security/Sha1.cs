using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace WeChatHandlers.Security;

/// <summary>
/// SHA-1 (FIPS 180-4) of a few parts hashed in sequence, in managed code, for the short input of a signature.
/// </summary>
/// <remarks>
/// A plaintext push's <c>signature</c> hashes about forty bytes; there the platform's one-shot SHA-1 spends most of
/// its time creating and freeing a native context, not hashing. This computes the same digest without leaving managed
/// code and without concatenating the parts first. It is data-independent in timing (no tables, no branches on the data),
/// as a hash over a secret token should be. Long inputs (a large <c>Encrypt</c>) go to the platform's SHA-1, which is
/// faster per byte.
/// </remarks>
internal struct Sha1
{
    /// <summary>
    /// Inputs up to this many bytes (two blocks once padded: a plaintext <c>signature</c> is one) are hashed here;
    /// longer ones by the platform, whose hardware SHA-1 wins from about the third block on.
    /// </summary>
    public const int ManagedLimit = 119;

    private const int BlockSize = 64;

    private uint _h0, _h1, _h2, _h3, _h4;
    private ulong _length;
    private int _buffered;
    private Block _block;

    public static Sha1 Create() => new()
    {
        _h0 = 0x67452301,
        _h1 = 0xEFCDAB89,
        _h2 = 0x98BADCFE,
        _h3 = 0x10325476,
        _h4 = 0xC3D2E1F0,
    };

    public void Append(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        Span<byte> block = _block;
        if (_buffered > 0)
        {
            int take = Math.Min(BlockSize - _buffered, data.Length);
            data[..take].CopyTo(block[_buffered..]);
            _buffered += take;
            data = data[take..];
            if (_buffered < BlockSize)
            {
                return;
            }

            Compress(block);
            _buffered = 0;
        }

        while (data.Length >= BlockSize)
        {
            Compress(data[..BlockSize]);
            data = data[BlockSize..];
        }

        data.CopyTo(block);
        _buffered = data.Length;
    }

    /// <summary>Pads, writes the 20-byte digest, and clears the buffered input (it may hold part of a secret).</summary>
    public void Finish(Span<byte> digest)
    {
        ulong bits = _length * 8;
        Span<byte> block = _block;
        block[_buffered++] = 0x80;
        if (_buffered > BlockSize - 8)
        {
            block[_buffered..].Clear();
            Compress(block);
            _buffered = 0;
        }

        block[_buffered..(BlockSize - 8)].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(block[(BlockSize - 8)..], bits);
        Compress(block);
        block.Clear();

        BinaryPrimitives.WriteUInt32BigEndian(digest, _h0);
        BinaryPrimitives.WriteUInt32BigEndian(digest[4..], _h1);
        BinaryPrimitives.WriteUInt32BigEndian(digest[8..], _h2);
        BinaryPrimitives.WriteUInt32BigEndian(digest[12..], _h3);
        BinaryPrimitives.WriteUInt32BigEndian(digest[16..], _h4);
    }

    /// <summary>
    /// One block. The message schedule is kept as a rolling window of sixteen words (word i replaces word i - 16), and
    /// the rounds are written five at a time with the variables' roles rotated, so no round moves a register.
    /// </summary>
    [SkipLocalsInit]
    private void Compress(ReadOnlySpan<byte> block)
    {
        Unsafe.SkipInit(out Window w);
        for (int i = 0; i < 16; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        }

        uint a = _h0, b = _h1, c = _h2, d = _h3, e = _h4;
        for (int i = 0; i < 20; i += 5)
        {
            e += RotateLeft(a, 5) + Choose(b, c, d) + 0x5A827999 + w.At(i); b = RotateLeft(b, 30);
            d += RotateLeft(e, 5) + Choose(a, b, c) + 0x5A827999 + w.At(i + 1); a = RotateLeft(a, 30);
            c += RotateLeft(d, 5) + Choose(e, a, b) + 0x5A827999 + w.At(i + 2); e = RotateLeft(e, 30);
            b += RotateLeft(c, 5) + Choose(d, e, a) + 0x5A827999 + w.At(i + 3); d = RotateLeft(d, 30);
            a += RotateLeft(b, 5) + Choose(c, d, e) + 0x5A827999 + w.At(i + 4); c = RotateLeft(c, 30);
        }

        for (int i = 20; i < 40; i += 5)
        {
            e += RotateLeft(a, 5) + (b ^ c ^ d) + 0x6ED9EBA1 + w.At(i); b = RotateLeft(b, 30);
            d += RotateLeft(e, 5) + (a ^ b ^ c) + 0x6ED9EBA1 + w.At(i + 1); a = RotateLeft(a, 30);
            c += RotateLeft(d, 5) + (e ^ a ^ b) + 0x6ED9EBA1 + w.At(i + 2); e = RotateLeft(e, 30);
            b += RotateLeft(c, 5) + (d ^ e ^ a) + 0x6ED9EBA1 + w.At(i + 3); d = RotateLeft(d, 30);
            a += RotateLeft(b, 5) + (c ^ d ^ e) + 0x6ED9EBA1 + w.At(i + 4); c = RotateLeft(c, 30);
        }

        for (int i = 40; i < 60; i += 5)
        {
            e += RotateLeft(a, 5) + Majority(b, c, d) + 0x8F1BBCDC + w.At(i); b = RotateLeft(b, 30);
            d += RotateLeft(e, 5) + Majority(a, b, c) + 0x8F1BBCDC + w.At(i + 1); a = RotateLeft(a, 30);
            c += RotateLeft(d, 5) + Majority(e, a, b) + 0x8F1BBCDC + w.At(i + 2); e = RotateLeft(e, 30);
            b += RotateLeft(c, 5) + Majority(d, e, a) + 0x8F1BBCDC + w.At(i + 3); d = RotateLeft(d, 30);
            a += RotateLeft(b, 5) + Majority(c, d, e) + 0x8F1BBCDC + w.At(i + 4); c = RotateLeft(c, 30);
        }

        for (int i = 60; i < 80; i += 5)
        {
            e += RotateLeft(a, 5) + (b ^ c ^ d) + 0xCA62C1D6 + w.At(i); b = RotateLeft(b, 30);
            d += RotateLeft(e, 5) + (a ^ b ^ c) + 0xCA62C1D6 + w.At(i + 1); a = RotateLeft(a, 30);
            c += RotateLeft(d, 5) + (e ^ a ^ b) + 0xCA62C1D6 + w.At(i + 2); e = RotateLeft(e, 30);
            b += RotateLeft(c, 5) + (d ^ e ^ a) + 0xCA62C1D6 + w.At(i + 3); d = RotateLeft(d, 30);
            a += RotateLeft(b, 5) + (c ^ d ^ e) + 0xCA62C1D6 + w.At(i + 4); c = RotateLeft(c, 30);
        }

        // The schedule is derived from the input: clear it too.
        ((Span<uint>)w).Clear();
        _h0 += a;
        _h1 += b;
        _h2 += c;
        _h3 += d;
        _h4 += e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint RotateLeft(uint value, int offset) => BitOperations.RotateLeft(value, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Choose(uint x, uint y, uint z) => z ^ (x & (y ^ z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Majority(uint x, uint y, uint z) => (x & y) | (z & (x | y));

    /// <summary>The last sixteen words of the message schedule.</summary>
    [InlineArray(16)]
    private struct Window
    {
        private uint _element;

        /// <summary>Word <paramref name="i"/> of the schedule (0-79), computed in place from i = 16 on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint At(int i)
        {
            ref uint w0 = ref _element;
            if (i < 16)
            {
                return Unsafe.Add(ref w0, i);
            }

            uint next = BitOperations.RotateLeft(
                Unsafe.Add(ref w0, (i - 3) & 15) ^ Unsafe.Add(ref w0, (i - 8) & 15) ^ Unsafe.Add(ref w0, (i - 14) & 15) ^ Unsafe.Add(ref w0, i & 15),
                1);
            Unsafe.Add(ref w0, i & 15) = next;
            return next;
        }
    }

    [InlineArray(BlockSize)]
    private struct Block
    {
        private byte _element;
    }
}
