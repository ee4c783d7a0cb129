using System.Security.Cryptography;
using System.Text;
using WeChatHandlers.Security;
using static WeChatHandlers.Tests.Security.Vectors;

namespace WeChatHandlers.Tests.Security;

/// <summary>
/// The pooled CBC transforms must equal one-shot AES-CBC with the fixed IV on every call, not only the first: a reused
/// transform carries the previous call's chaining value, which the pool corrects. (Round trips cannot see this, because
/// a wrong first block only garbles the random prefix, so it is checked here block for block.)
/// </summary>
public sealed class AesCbcPoolTests
{
    [Fact]
    public void Every_call_on_a_reused_transform_equals_one_shot_cbc()
    {
        var key = CryptoAssert.Key(Tv5EncodingAesKey);
        using var reference = Aes.Create();
        reference.Key = key;
        using var pool = new AesCbcPool(key);
        var random = new Random(7);

        for (int i = 0; i < 200; i++)
        {
            int length = 16 * random.Next(1, 40);
            var plain = new byte[length];
            random.NextBytes(plain);
            var expected = reference.EncryptCbc(plain, key.AsSpan(0, 16), PaddingMode.None);

            var buffer = (byte[])plain.Clone();
            pool.EncryptInPlace(buffer, length);
            Assert.Equal(expected, buffer);

            pool.DecryptInPlace(buffer, length);
            Assert.Equal(plain, buffer);
        }
    }

    [Fact]
    public void Only_the_given_length_is_transformed()
    {
        var key = CryptoAssert.Key(EncodingAesKey);
        using var pool = new AesCbcPool(key);
        var buffer = new byte[64];
        buffer.AsSpan(32).Fill(0xAB);
        pool.EncryptInPlace(buffer, 32);
        Assert.All(buffer[32..], b => Assert.Equal(0xAB, b));
    }

    [Fact]
    public void Repeated_encryption_on_one_instance_keeps_reproducing_the_official_vector()
    {
        using var crypto = new WeChatCrypto(Token, EncodingAesKey, AppId);
        var message = Encoding.UTF8.GetBytes(Tv4Message);
        var random16 = Encoding.ASCII.GetBytes(Tv4Random);
        var other = new byte[crypto.GetEncryptedLength(1000)];
        for (int i = 0; i < 20; i++)
        {
            var destination = new byte[crypto.GetEncryptedLength(message.Length)];
            crypto.Encrypt(message, random16, destination);
            Assert.Equal(Tv4Encrypt, Encoding.ASCII.GetString(destination));
            crypto.Encrypt(new byte[i * 50], other); // moves the pooled transform's chaining value elsewhere
        }
    }

    [Fact]
    public void Disposed_pool_refuses_work()
    {
        var pool = new AesCbcPool(CryptoAssert.Key(EncodingAesKey));
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.DecryptInPlace(new byte[32], 32));
    }
}
