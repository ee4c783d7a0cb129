using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using WeChatHandlers.Security;

namespace WeChatHandlers.Tests.Security;

internal static class CryptoAssert
{
    /// <summary>Asserts that <paramref name="action"/> throws exactly <see cref="WeChatCryptoException"/> with the given error, and that its message leaks no secret.</summary>
    public static WeChatCryptoException Throws(WeChatCryptoError expected, Action action, params string[] secrets)
    {
        var e = Assert.Throws<WeChatCryptoException>(action);
        Assert.Equal(expected, e.Error);
        Assert.Equal((int)expected, e.Code);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        foreach (var secret in secrets.Append(Vectors.EncodingAesKey).Append(Vectors.Tv5EncodingAesKey).Where(s => s.Length > 0))
        {
            Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal);
        }

        return e;
    }

    public static byte[] Key(string encodingAesKey) => Convert.FromBase64String(encodingAesKey + "=");

    /// <summary>AES-256-CBC with the protocol's IV, done independently of the code under test (one-shot .NET API).</summary>
    public static byte[] RawEncrypt(string encodingAesKey, ReadOnlySpan<byte> blocks)
    {
        var key = Key(encodingAesKey);
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.EncryptCbc(blocks, key.AsSpan(0, 16), PaddingMode.None);
    }

    public static byte[] RawDecrypt(string encodingAesKey, byte[] ciphertext)
    {
        var key = Key(encodingAesKey);
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.DecryptCbc(ciphertext, key.AsSpan(0, 16), PaddingMode.None);
    }

    /// <summary>random(16) ‖ length(4, BE) ‖ message ‖ appId, unpadded, built independently of the code under test.</summary>
    public static byte[] Layout(ReadOnlySpan<byte> random16, ReadOnlySpan<byte> message, string appId, int? lengthField = null)
    {
        var id = Encoding.UTF8.GetBytes(appId);
        var result = new byte[20 + message.Length + id.Length];
        random16.CopyTo(result);
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(16), lengthField ?? message.Length);
        message.CopyTo(result.AsSpan(20));
        id.CopyTo(result.AsSpan(20 + message.Length));
        return result;
    }

    public static byte[] Pad32(byte[] data)
    {
        int pad = 32 - (data.Length % 32);
        return [.. data, .. Enumerable.Repeat((byte)pad, pad)];
    }

    public static string Utf8(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
