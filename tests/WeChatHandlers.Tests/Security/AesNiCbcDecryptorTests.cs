using System.Security.Cryptography;
using WeChatHandlers.Security;
using static WeChatHandlers.Tests.Security.Vectors;

namespace WeChatHandlers.Tests.Security;

/// <summary>
/// The AES-NI decryptor against an independent answer: FIPS 197's AES-256 example, and the platform's one-shot
/// AES-CBC on random keys and every length from one block to past several eight-block strides (the stride and the
/// one-block tail are separate loops).
/// </summary>
public sealed class AesNiCbcDecryptorTests
{
    private static AesNiCbcDecryptor Create(byte[] key) =>
        AesNiCbcDecryptor.TryCreate(key) ?? throw new InvalidOperationException("TryCreate returned null where the instructions exist.");

    [Fact]
    public void TryCreate_returns_a_decryptor_exactly_where_the_instructions_exist()
    {
        using var decryptor = AesNiCbcDecryptor.TryCreate(new byte[32]);
        Assert.Equal(AesNiCbcDecryptor.IsSupported, decryptor is not null);
        Assert.Throws<ArgumentException>(() => AesNiCbcDecryptor.TryCreate(new byte[16]));
    }

    [Fact]
    public void Decrypts_the_fips_197_aes_256_example()
    {
        if (!AesNiCbcDecryptor.IsSupported)
        {
            Assert.Null(AesNiCbcDecryptor.TryCreate(new byte[32]));
            return;
        }

        // FIPS 197 appendix C.3: key 00..1f, plaintext 00112233..ff, ciphertext 8ea2b7ca.... CBC's one block decrypts to
        // the plaintext XOR the IV, which here is the key's first 16 bytes (00..0f).
        byte[] key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] buffer = Convert.FromHexString("8ea2b7ca516745bfeafc49904b496089");
        using var decryptor = Create(key);
        decryptor.DecryptInPlace(buffer, buffer.Length);
        Assert.Equal("00102030405060708090a0b0c0d0e0f0", Convert.ToHexStringLower(buffer));
    }

    [Fact]
    public void Equals_the_platforms_cbc_for_random_keys_and_every_length()
    {
        if (!AesNiCbcDecryptor.IsSupported)
        {
            return;
        }

        var random = new Random(11);
        for (int blocks = 1; blocks <= 40; blocks++)
        {
            var key = new byte[32];
            random.NextBytes(key);
            var plain = new byte[16 * blocks];
            random.NextBytes(plain);
            using var aes = Aes.Create();
            aes.Key = key;
            var buffer = aes.EncryptCbc(plain, key.AsSpan(0, 16), PaddingMode.None);

            using var decryptor = Create(key);
            decryptor.DecryptInPlace(buffer, buffer.Length);
            Assert.Equal(plain, buffer);
        }
    }

    [Fact]
    public void Decrypts_what_the_platform_pool_encrypts_for_the_protocols_keys()
    {
        if (!AesNiCbcDecryptor.IsSupported)
        {
            return;
        }

        foreach (var encodingAesKey in new[] { EncodingAesKey, Tv5EncodingAesKey })
        {
            var key = CryptoAssert.Key(encodingAesKey);
            using var pool = new AesCbcPool(key);
            using var decryptor = Create(key);
            var random = new Random(3);
            for (int i = 0; i < 50; i++)
            {
                var plain = new byte[16 * random.Next(1, 70)];
                random.NextBytes(plain);
                var buffer = (byte[])plain.Clone();
                pool.EncryptInPlace(buffer, buffer.Length);
                Assert.Equal(CryptoAssert.RawEncrypt(encodingAesKey, plain), buffer);

                decryptor.DecryptInPlace(buffer, buffer.Length);
                Assert.Equal(plain, buffer);
            }
        }
    }

    [Fact]
    public void Only_the_given_length_is_decrypted_and_a_partial_block_is_refused()
    {
        if (!AesNiCbcDecryptor.IsSupported)
        {
            return;
        }

        using var decryptor = Create(CryptoAssert.Key(EncodingAesKey));
        var buffer = new byte[200];
        buffer.AsSpan(144).Fill(0xAB);
        decryptor.DecryptInPlace(buffer, 144);
        Assert.All(buffer[144..], b => Assert.Equal(0xAB, b));

        Assert.Throws<ArgumentOutOfRangeException>(() => decryptor.DecryptInPlace(buffer, 40));
        Assert.Throws<ArgumentOutOfRangeException>(() => decryptor.DecryptInPlace(buffer, 208));
    }

    [Fact]
    public async Task One_instance_decrypts_on_many_threads_at_once()
    {
        if (!AesNiCbcDecryptor.IsSupported)
        {
            return;
        }

        var key = CryptoAssert.Key(EncodingAesKey);
        using var decryptor = Create(key);
        var work = Enumerable.Range(0, 8).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            for (int i = 0; i < 500; i++)
            {
                var plain = new byte[16 * random.Next(1, 30)];
                random.NextBytes(plain);
                var buffer = CryptoAssert.RawEncrypt(EncodingAesKey, plain);
                decryptor.DecryptInPlace(buffer, buffer.Length);
                Assert.Equal(plain, buffer);
            }
        }));
        await Task.WhenAll(work);
    }

    [Fact]
    public void Disposed_decryptor_refuses_work()
    {
        if (!AesNiCbcDecryptor.IsSupported)
        {
            return;
        }

        var decryptor = Create(CryptoAssert.Key(EncodingAesKey));
        decryptor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => decryptor.DecryptInPlace(new byte[32], 32));
    }
}
