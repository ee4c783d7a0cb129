using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace WeChatHandlers.Security;

/// <summary>
/// WeChat's signatures: the lowercase hex SHA-1 of the ordinally sorted, concatenated parts.
/// <list type="bullet">
/// <item><c>signature</c> (URL verification GET and every POST): parts token, timestamp, nonce.</item>
/// <item><c>msg_signature</c> (safe and compatibility mode): parts token, timestamp, nonce and the <em>unescaped</em>
/// <c>Encrypt</c> value; also <c>MsgSignature</c> of an encrypted reply.</item>
/// </list>
/// Parts are compared as UTF-8 bytes (ordinal, never culture-aware). Verification compares in constant time and
/// accepts upper-case hex. Nothing here allocates except the methods that return a <see cref="string"/>.
/// </summary>
public static class WeChatSignature
{
    /// <summary>The length of a signature: 40 hex digits.</summary>
    public const int HexLength = 40;

    // Parts up to this many bytes in total are handled on the stack; longer ones (a large Encrypt) use the pool.
    private const int StackLimit = 512;

    /// <summary>Writes the <c>signature</c> of token, timestamp and nonce as 40 lowercase hex digits (UTF-8).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="HexLength"/>.</exception>
    /// <exception cref="WeChatCryptoException">SHA-1 is unavailable (<see cref="WeChatCryptoError.ComputeSignature"/>).</exception>
    public static void ComputeSignature(ReadOnlySpan<byte> token, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> nonce, Span<byte> destination) =>
        ComputeMsgSignature(token, timestamp, nonce, default, destination);

    /// <summary>Writes the <c>msg_signature</c> of token, timestamp, nonce and the unescaped Encrypt value as 40 lowercase hex digits (UTF-8).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="HexLength"/>.</exception>
    /// <exception cref="WeChatCryptoException">SHA-1 is unavailable (<see cref="WeChatCryptoError.ComputeSignature"/>).</exception>
    public static void ComputeMsgSignature(ReadOnlySpan<byte> token, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> encrypt, Span<byte> destination)
    {
        if (destination.Length < HexLength)
        {
            throw new ArgumentException($"The destination must hold {HexLength} bytes.", nameof(destination));
        }

        // An empty fourth part sorts first and adds nothing to the concatenation, so the three-part signature is
        // this same computation with an empty Encrypt.
        ComputeHex(token, timestamp, nonce, encrypt, destination[..HexLength]);
    }

    /// <summary>The <c>signature</c> of token, timestamp and nonce as a lowercase hex string.</summary>
    /// <exception cref="WeChatCryptoException">SHA-1 is unavailable (<see cref="WeChatCryptoError.ComputeSignature"/>).</exception>
    public static string ComputeSignature(string token, string timestamp, string nonce)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(nonce);
        return ComputeMsgSignature(token, timestamp, nonce, string.Empty);
    }

    /// <summary>The <c>msg_signature</c> of token, timestamp, nonce and the unescaped Encrypt value as a lowercase hex string.</summary>
    /// <exception cref="WeChatCryptoException">SHA-1 is unavailable (<see cref="WeChatCryptoError.ComputeSignature"/>).</exception>
    public static string ComputeMsgSignature(string token, string timestamp, string nonce, string encrypt)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(encrypt);
        Span<byte> hex = stackalloc byte[HexLength];
        ComputeHex(token, timestamp, nonce, encrypt, hex);
        return Encoding.ASCII.GetString(hex);
    }

    /// <summary>Whether <paramref name="signature"/> is the <c>signature</c> of token, timestamp and nonce (hex of either case; constant time).</summary>
    public static bool VerifySignature(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> token, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> nonce) =>
        VerifyMsgSignature(signature, token, timestamp, nonce, default);

    /// <summary>Whether <paramref name="msgSignature"/> is the <c>msg_signature</c> of token, timestamp, nonce and the unescaped Encrypt value (hex of either case; constant time).</summary>
    public static bool VerifyMsgSignature(ReadOnlySpan<byte> msgSignature, ReadOnlySpan<byte> token, ReadOnlySpan<byte> timestamp, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> encrypt)
    {
        Span<byte> expected = stackalloc byte[HexLength];
        ComputeHex(token, timestamp, nonce, encrypt, expected);
        return HexEquals(expected, msgSignature);
    }

    /// <summary>Whether <paramref name="signature"/> is the <c>signature</c> of token, timestamp and nonce (hex of either case; constant time).</summary>
    public static bool VerifySignature(ReadOnlySpan<char> signature, ReadOnlySpan<char> token, ReadOnlySpan<char> timestamp, ReadOnlySpan<char> nonce) =>
        VerifyMsgSignature(signature, token, timestamp, nonce, default);

    /// <summary>Whether <paramref name="msgSignature"/> is the <c>msg_signature</c> of token, timestamp, nonce and the unescaped Encrypt value (hex of either case; constant time).</summary>
    public static bool VerifyMsgSignature(ReadOnlySpan<char> msgSignature, ReadOnlySpan<char> token, ReadOnlySpan<char> timestamp, ReadOnlySpan<char> nonce, ReadOnlySpan<char> encrypt)
    {
        Span<byte> expected = stackalloc byte[HexLength];
        ComputeHex(token, timestamp, nonce, encrypt, expected);
        return HexEquals(expected, msgSignature);
    }

    /// <summary>Transcodes the four parts to UTF-8 (stack or pool) and computes their signature.</summary>
    internal static void ComputeHex(ReadOnlySpan<char> p0, ReadOnlySpan<char> p1, ReadOnlySpan<char> p2, ReadOnlySpan<char> p3, Span<byte> hex)
    {
        var utf8 = Encoding.UTF8;
        if ((long)p0.Length + p1.Length + p2.Length + p3.Length <= StackLimit / 3)
        {
            // The usual case (a plaintext signature's parts are some forty characters): a char is at most three UTF-8
            // bytes, so the parts fit on the stack without counting their bytes first.
            Span<byte> stack = stackalloc byte[StackLimit];
            int m0 = utf8.GetBytes(p0, stack);
            int m1 = utf8.GetBytes(p1, stack[m0..]);
            int m2 = utf8.GetBytes(p2, stack[(m0 + m1)..]);
            int m3 = utf8.GetBytes(p3, stack[(m0 + m1 + m2)..]);
            var parts = stack[..(m0 + m1 + m2 + m3)];
            try
            {
                ComputeHex(parts[..m0], parts.Slice(m0, m1), parts.Slice(m0 + m1, m2), parts[(m0 + m1 + m2)..], hex);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(parts);
            }

            return;
        }

        int n0 = utf8.GetByteCount(p0), n1 = utf8.GetByteCount(p1), n2 = utf8.GetByteCount(p2), n3 = utf8.GetByteCount(p3);
        int total = n0 + n1 + n2 + n3;
        byte[]? rented = null;
        Span<byte> buffer = total <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(total));
        buffer = buffer[..total];
        try
        {
            utf8.GetBytes(p0, buffer);
            utf8.GetBytes(p1, buffer[n0..]);
            utf8.GetBytes(p2, buffer[(n0 + n1)..]);
            utf8.GetBytes(p3, buffer[(n0 + n1 + n2)..]);
            ComputeHex(buffer[..n0], buffer.Slice(n0, n1), buffer.Slice(n0 + n1, n2), buffer[(n0 + n1 + n2)..], hex);
        }
        finally
        {
            // The token is a secret: do not leave it in stack or pooled memory.
            CryptographicOperations.ZeroMemory(buffer);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Sorts the four parts ordinally, hashes their concatenation and writes 40 lowercase hex digits.</summary>
    internal static void ComputeHex(ReadOnlySpan<byte> p0, ReadOnlySpan<byte> p1, ReadOnlySpan<byte> p2, ReadOnlySpan<byte> p3, Span<byte> hex)
    {
        // A sorting network for four: five compare-exchanges, no arrays (spans cannot live in one).
        SortPair(ref p0, ref p1);
        SortPair(ref p2, ref p3);
        SortPair(ref p0, ref p2);
        SortPair(ref p1, ref p3);
        SortPair(ref p1, ref p2);

        int total = p0.Length + p1.Length + p2.Length + p3.Length;
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        if (total <= Sha1.ManagedLimit)
        {
            // The common case: hashed part by part, never concatenated.
            var sha1 = Sha1.Create();
            sha1.Append(p0);
            sha1.Append(p1);
            sha1.Append(p2);
            sha1.Append(p3);
            sha1.Finish(hash);
            Convert.TryToHexStringLower(hash, hex, out _);
            return;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(total);
        var buffer = rented.AsSpan(0, total);
        try
        {
            p0.CopyTo(buffer);
            p1.CopyTo(buffer[p0.Length..]);
            p2.CopyTo(buffer[(p0.Length + p1.Length)..]);
            p3.CopyTo(buffer[(total - p3.Length)..]);
            try
            {
                SHA1.HashData(buffer, hash);
            }
            catch (CryptographicException e)
            {
                // SHA-1 can be refused by platform policy; report it as the protocol's own error.
                throw new WeChatCryptoException(WeChatCryptoError.ComputeSignature, "SHA-1 could not be computed on this platform.", e);
            }

            Convert.TryToHexStringLower(hash, hex, out _);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void SortPair(ref ReadOnlySpan<byte> a, ref ReadOnlySpan<byte> b)
    {
        if (a.SequenceCompareTo(b) > 0)
        {
            var t = a;
            a = b;
            b = t;
        }
    }

    /// <summary>Constant-time comparison of the computed lowercase hex with a received one of either case.</summary>
    internal static bool HexEquals(ReadOnlySpan<byte> expectedLower, ReadOnlySpan<byte> received)
    {
        // The length of a received signature is public; only the comparison of the digits must not leak timing.
        if (received.Length != HexLength)
        {
            return false;
        }

        Span<byte> normalized = stackalloc byte[HexLength];
        for (int i = 0; i < HexLength; i++)
        {
            normalized[i] = ToLowerHexDigit(received[i]);
        }

        return FixedTimeEquals(expectedLower, normalized);
    }

    internal static bool HexEquals(ReadOnlySpan<byte> expectedLower, ReadOnlySpan<char> received)
    {
        if (received.Length != HexLength)
        {
            return false;
        }

        Span<byte> normalized = stackalloc byte[HexLength];
        for (int i = 0; i < HexLength; i++)
        {
            char c = received[i];
            // A non-ASCII character can never be a hex digit; map it to a byte no digit equals.
            normalized[i] = c < 0x80 ? ToLowerHexDigit((byte)c) : (byte)0;
        }

        return FixedTimeEquals(expectedLower, normalized);
    }

    /// <summary>
    /// Whether two 40-byte signatures are equal, in time independent of where they differ: every byte is folded into one
    /// accumulator, eight at a time, and only the accumulator is tested.
    /// </summary>
    /// <remarks>
    /// <see cref="CryptographicOperations.FixedTimeEquals"/> gives the same guarantee for any length, but it is compiled
    /// without optimization (so that no compiler can turn it into an early exit), and for 40 bytes that left it at about
    /// a quarter of a microsecond: 5% of a whole plaintext push in process. Five XORs into one accumulator have no
    /// early exit for a compiler to find.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool FixedTimeEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != HexLength || right.Length != HexLength)
        {
            return false;
        }

        ulong difference = 0;
        for (int i = 0; i < HexLength; i += sizeof(ulong))
        {
            difference |= BinaryPrimitives.ReadUInt64LittleEndian(left[i..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(right[i..]);
        }

        return difference == 0;
    }

    // Only A-F are folded: folding every letter would make "G" match "g", which is no hex digit anyway but keeps the
    // accepted alphabet exactly [0-9a-fA-F].
    private static byte ToLowerHexDigit(byte b) => b is >= (byte)'A' and <= (byte)'F' ? (byte)(b | 0x20) : b;
}
