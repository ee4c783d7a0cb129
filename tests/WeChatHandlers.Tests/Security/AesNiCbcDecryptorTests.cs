using System.Security.Cryptography;
using WeChatHandlers.Security;
using static WeChatHandlers.Tests.Security.Vectors;

namespace WeChatHandlers.Tests.Security;

/// <summary>
/// The decryptor safe mode uses on this machine against an independent answer: FIPS 197's AES-256 example, and the
/// platform's one-shot AES-CBC on random keys and every length from one block to past several eight-block strides (the
/// stride and the one-block tail are separate loops). Where the processor has AES instructions that is
/// <see cref="AesNiCbcDecryptor"/>; where it has none (<c>.ci/run</c> runs these again with <c>DOTNET_EnableAES=0</c>) it is
/// the platform pool <see cref="WeChatCrypto"/> falls back to, so both paths answer the same questions.
/// </summary>
public sealed class AesNiCbcDecryptorTests
{
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
        // FIPS 197 appendix C.3: key 00..1f, plaintext 00112233..ff, ciphertext 8ea2b7ca.... CBC's one block decrypts to
        // the plaintext XOR the IV, which here is the key's first 16 bytes (00..0f).
        byte[] key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] buffer = Convert.FromHexString("8ea2b7ca516745bfeafc49904b496089");
        using var decryptor = new InUse(key);
        decryptor.DecryptInPlace(buffer, buffer.Length);
        Assert.Equal("00102030405060708090a0b0c0d0e0f0", Convert.ToHexStringLower(buffer));
    }

    [Fact]
    public void Equals_the_platforms_cbc_for_random_keys_and_every_length()
    {
        var random = new Random(11);
        for (int blocks = 1; blocks <= 300; blocks++)
        {
            for (int keys = 0; keys < 3; keys++)
            {
                var key = new byte[32];
                random.NextBytes(key);
                var plain = new byte[16 * blocks];
                random.NextBytes(plain);
                using var aes = Aes.Create();
                aes.Key = key;
                var buffer = aes.EncryptCbc(plain, key.AsSpan(0, 16), PaddingMode.None);

                // One instance, two calls: each starts again from the IV, whatever the previous call left.
                using var decryptor = new InUse(key);
                var again = (byte[])buffer.Clone();
                decryptor.DecryptInPlace(buffer, buffer.Length);
                Assert.Equal(plain, buffer);
                decryptor.DecryptInPlace(again, again.Length);
                Assert.Equal(plain, again);
            }
        }
    }

    [Fact]
    public void Decrypts_what_the_platform_pool_encrypts_for_the_protocols_keys()
    {
        foreach (var encodingAesKey in new[] { EncodingAesKey, Tv5EncodingAesKey })
        {
            var key = CryptoAssert.Key(encodingAesKey);
            using var pool = new AesCbcPool(key);
            using var decryptor = new InUse(key);
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
    public void Only_the_given_length_is_decrypted()
    {
        var key = CryptoAssert.Key(EncodingAesKey);
        var plain = new byte[144];
        new Random(5).NextBytes(plain);
        var buffer = new byte[200];
        CryptoAssert.RawEncrypt(EncodingAesKey, plain).CopyTo(buffer, 0);
        buffer.AsSpan(144).Fill(0xAB);

        using var decryptor = new InUse(key);
        decryptor.DecryptInPlace(buffer, 144);
        Assert.Equal(plain, buffer[..144]);
        Assert.All(buffer[144..], b => Assert.Equal(0xAB, b));
    }

    [Fact]
    public void A_partial_block_a_length_past_the_buffer_and_no_buffer_are_refused()
    {
        using var decryptor = AesNiCbcDecryptor.TryCreate(CryptoAssert.Key(EncodingAesKey));
        if (decryptor is null)
        {
            // No AES instructions: nothing to refuse, and WeChatCrypto decrypts on the pool (the other tests' InUse).
            Assert.False(AesNiCbcDecryptor.IsSupported);
            return;
        }

        var buffer = new byte[200];
        Assert.Throws<ArgumentOutOfRangeException>(() => decryptor.DecryptInPlace(buffer, 40));
        Assert.Throws<ArgumentOutOfRangeException>(() => decryptor.DecryptInPlace(buffer, 208));
        Assert.Throws<ArgumentOutOfRangeException>(() => decryptor.DecryptInPlace(buffer, -16));
        Assert.Throws<ArgumentNullException>(() => decryptor.DecryptInPlace(null!, 16));

        // Nothing to decrypt is not an error.
        decryptor.DecryptInPlace(buffer, 0);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task One_instance_decrypts_on_many_threads_at_once()
    {
        var key = CryptoAssert.Key(EncodingAesKey);
        using var decryptor = new InUse(key);
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
        var decryptor = new InUse(CryptoAssert.Key(EncodingAesKey));
        decryptor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => decryptor.DecryptInPlace(new byte[32], 32));
    }

    /// <summary>What <see cref="WeChatCrypto"/> decrypts with here: the AES-NI decryptor, else the platform pool.</summary>
    private sealed class InUse(byte[] key) : IDisposable
    {
        private readonly AesNiCbcDecryptor? _instructions = AesNiCbcDecryptor.TryCreate(key);
        private readonly AesCbcPool? _pool = AesNiCbcDecryptor.IsSupported ? null : new AesCbcPool(key);

        public void DecryptInPlace(byte[] buffer, int length)
        {
            if (_instructions is not null)
            {
                _instructions.DecryptInPlace(buffer, length);
            }
            else
            {
                _pool!.DecryptInPlace(buffer, length);
            }
        }

        public void Dispose()
        {
            _instructions?.Dispose();
            _pool?.Dispose();
        }
    }
}
