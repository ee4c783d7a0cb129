using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using CsCheck;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;
using static WeChatHandlers.Tests.Security.Vectors;

namespace WeChatHandlers.Tests.Security;

/// <summary>Round trips over every size class and pad length, tampering, and random-input fuzzing.</summary>
public sealed class WeChatCryptoPropertyTests : IDisposable
{
    private readonly WeChatCrypto _crypto = new(Token, EncodingAesKey, AppId);

    public void Dispose() => _crypto.Dispose();

    private static int PadFor(int messageLength) => 32 - ((20 + messageLength + AppId.Length) % 32);

    private static byte[] Bytes(int length, ulong seed)
    {
        var bytes = new byte[length];
        new Random((int)(seed ^ (seed >> 32))).NextBytes(bytes);
        return bytes;
    }

    private string EncryptToString(ReadOnlySpan<byte> message)
    {
        var destination = new byte[_crypto.GetEncryptedLength(message.Length)];
        int n = _crypto.Encrypt(message, destination);
        Assert.Equal(destination.Length, n);
        return Encoding.ASCII.GetString(destination);
    }

    [Fact]
    public void Round_trips_sizes_0_to_64_KiB_with_every_pad_length()
    {
        var pads = new ConcurrentDictionary<int, bool>();
        // Whole 32-byte blocks (0..2048, i.e. up to 64 KiB) plus a remainder picks every pad length equally often.
        var gen = Gen.Select(Gen.Int[0, 2048], Gen.Int[0, 31], Gen.ULong)
            .Select((blocks, remainder, seed) => (Length: Math.Min(blocks * 32 + remainder, 65536), Seed: seed));
        gen.Sample(sample =>
        {
            var message = Bytes(sample.Length, sample.Seed);
            var encrypt = Encoding.ASCII.GetBytes(EncryptToString(message));
            using var back = _crypto.Decrypt(encrypt);
            Assert.True(back.Message.Span.SequenceEqual(message));
            pads[PadFor(sample.Length)] = true;
        }, iter: 1000);

        Assert.Equal(Enumerable.Range(1, 32), pads.Keys.Order());
    }

    [Fact]
    public void Boundary_sizes_round_trip_with_the_exact_pkcs7_32_padding()
    {
        var pads = new HashSet<int>();
        var sizes = Enumerable.Range(0, 70).Concat(Enumerable.Range(65536 - 40, 41));
        foreach (int size in sizes)
        {
            var message = Bytes(size, (ulong)size);
            var encrypt = EncryptToString(message);

            // Checked with an independent AES: the pad is 1..32 bytes, each equal to the pad length.
            var plain = CryptoAssert.RawDecrypt(EncodingAesKey, Convert.FromBase64String(encrypt));
            int pad = PadFor(size);
            Assert.Equal(20 + size + AppId.Length + pad, plain.Length);
            Assert.All(plain[^pad..], b => Assert.Equal(pad, b));
            pads.Add(pad);

            using var back = _crypto.Decrypt(Encoding.ASCII.GetBytes(encrypt));
            Assert.Equal(message, back.Message.ToArray());
        }

        Assert.Equal(Enumerable.Range(1, 32), pads.Order());
    }

    [Fact]
    public void Reply_envelopes_round_trip_in_both_formats()
    {
        var gen = Gen.Select(Gen.Int[0, 4096], Gen.ULong, Gen.Bool, Gen.Long[0, 4_000_000_000], Gen.Int[0, int.MaxValue]);
        gen.Sample((length, seed, json, timestamp, nonceNumber) =>
        {
            var message = Bytes(length, seed);
            var nonce = nonceNumber.ToString(CultureInfo.InvariantCulture);
            var output = new ArrayBufferWriter<byte>();
            _crypto.WriteReplyEnvelope(output, json ? WeChatFormat.Json : WeChatFormat.Xml, message, timestamp, nonce);

            var envelope = WeChatPayload.ParseEnvelope(output.WrittenMemory.ToArray());
            Assert.Equal(json ? WeChatFormat.Json : WeChatFormat.Xml, envelope.Format);
            var signature = envelope.GetField("MsgSignature")!;
            using var back = _crypto.VerifyAndDecrypt(timestamp.ToString(CultureInfo.InvariantCulture), nonce, signature, envelope);
            Assert.True(back.Message.Span.SequenceEqual(message));
        }, iter: 300);
    }

    [Fact]
    public void Every_flipped_ciphertext_byte_fails_the_signature()
    {
        var ciphertext = Convert.FromBase64String(Tv3Encrypt);
        foreach (byte mask in new byte[] { 0x01, 0x80, 0xFF })
        {
            for (int i = 0; i < ciphertext.Length; i++)
            {
                var tampered = (byte[])ciphertext.Clone();
                tampered[i] ^= mask;
                var envelope = Encoding.UTF8.GetBytes("{\"Encrypt\":\"" + Convert.ToBase64String(tampered) + "\"}");
                CryptoAssert.Throws(WeChatCryptoError.ValidateSignature, () => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, envelope).Dispose(), Tv3Message);
            }
        }
    }

    [Fact]
    public void Every_changed_character_of_the_encrypt_text_fails_the_signature()
    {
        for (int i = 0; i < Tv3Encrypt.Length; i++)
        {
            var chars = Tv3Encrypt.ToCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            var envelope = Encoding.UTF8.GetBytes("{\"Encrypt\":\"" + new string(chars) + "\"}");
            CryptoAssert.Throws(WeChatCryptoError.ValidateSignature, () => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, envelope).Dispose());
        }
    }

    [Fact]
    public void Flipped_bytes_in_the_last_three_blocks_fail_even_without_the_signature()
    {
        // Decrypt alone does not authenticate (that is msg_signature's job), but a flip anywhere in the last three
        // AES blocks lands in the AppId or the padding of TV3 and is caught by the strict checks.
        var ciphertext = Convert.FromBase64String(Tv3Encrypt);
        for (int i = ciphertext.Length - 48; i < ciphertext.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                var tampered = (byte[])ciphertext.Clone();
                tampered[i] ^= (byte)(1 << bit);
                var e = Assert.Throws<WeChatCryptoException>(() => _crypto.Decrypt(Encoding.ASCII.GetBytes(Convert.ToBase64String(tampered))).Dispose());
                Assert.Contains(e.Error, new[] { WeChatCryptoError.IllegalBuffer, WeChatCryptoError.ValidateAppId });
            }
        }
    }

    [Fact]
    public void Every_flipped_byte_of_the_embedded_app_id_fails_with_a_valid_signature()
    {
        for (int i = 0; i < AppId.Length; i++)
        {
            var chars = AppId.ToCharArray();
            chars[i] = (char)(chars[i] ^ 0x01);
            using var forger = new WeChatCrypto(Token, EncodingAesKey, new string(chars));
            var output = new ArrayBufferWriter<byte>();
            forger.WriteReplyEnvelope(output, WeChatFormat.Xml, Encoding.UTF8.GetBytes(Tv3Message), 1714112445, Tv3Nonce);
            var envelope = WeChatPayload.ParseEnvelope(output.WrittenMemory.ToArray());
            var signature = envelope.GetField("MsgSignature")!;
            CryptoAssert.Throws(WeChatCryptoError.ValidateAppId, () => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, signature, envelope).Dispose(), Tv3Message);
        }
    }

    [Fact]
    public void Every_truncation_fails_even_with_a_matching_signature()
    {
        for (int length = 0; length < Tv3Encrypt.Length; length++)
        {
            var truncated = Tv3Encrypt[..length];
            var signature = WeChatSignature.ComputeMsgSignature(Token, Tv3Timestamp, Tv3Nonce, truncated);
            var envelope = Encoding.UTF8.GetBytes("<xml><Encrypt><![CDATA[" + truncated + "]]></Encrypt></xml>");
            Assert.Throws<WeChatCryptoException>(() => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, signature, envelope).Dispose());
        }
    }

    [Fact]
    public void Random_bytes_as_encrypt_only_raise_the_documented_exception()
    {
        Gen.Byte.Array[0, 600].Sample(bytes =>
        {
            Assert.Throws<WeChatCryptoException>(() => _crypto.Decrypt(bytes).Dispose());
        }, iter: 5000);
    }

    [Fact]
    public void Random_ciphertext_of_valid_shape_only_raises_the_documented_exception()
    {
        // Well-formed Base64 of whole blocks: gets through decoding and AES, so the strict checks must catch it.
        Gen.Select(Gen.Int[2, 40], Gen.ULong).Sample((blocks, seed) =>
        {
            var encrypt = Encoding.ASCII.GetBytes(Convert.ToBase64String(Bytes(blocks * 16, seed)));
            var e = Assert.Throws<WeChatCryptoException>(() => _crypto.Decrypt(encrypt).Dispose());
            Assert.Contains(e.Error, new[] { WeChatCryptoError.IllegalBuffer, WeChatCryptoError.ValidateAppId });
        }, iter: 5000);
    }

    [Fact]
    public void Random_envelopes_only_raise_the_documented_exception()
    {
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            Assert.Throws<WeChatCryptoException>(() => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, bytes).Dispose());
        }, iter: 3000);

        Gen.String.Sample(text =>
        {
            var bytes = Encoding.UTF8.GetBytes("{\"Encrypt\":\"" + text + "\"}");
            Assert.Throws<WeChatCryptoException>(() => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, bytes).Dispose());
        }, iter: 3000);
    }

    [Fact]
    public void Random_encrypt_values_with_matching_signatures_only_raise_the_documented_exception()
    {
        // The attacker cannot sign, but this drives random values past the signature into the decryptor.
        Gen.Select(Gen.Int[0, 300], Gen.ULong, Gen.Bool).Sample((length, seed, base64Shaped) =>
        {
            var raw = Bytes(length, seed);
            var encrypt = base64Shaped ? Convert.ToBase64String(raw) : Encoding.Latin1.GetString(raw).Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal);
            var signature = WeChatSignature.ComputeMsgSignature(Token, Tv3Timestamp, Tv3Nonce, encrypt);
            var envelope = Encoding.UTF8.GetBytes("{\"Encrypt\":\"" + encrypt + "\"}");
            Assert.Throws<WeChatCryptoException>(() => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, signature, envelope).Dispose());
        }, iter: 3000);
    }

    [Fact]
    public void Concurrent_use_of_one_instance_is_correct()
    {
        // More threads than pooled transforms: transforms are created, reused and discarded under contention.
        var failures = new ConcurrentQueue<string>();
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 16 }, worker =>
        {
            for (int i = 0; i < 100; i++)
            {
                int size = (worker * 131 + i * 17) % 3000;
                var message = Bytes(size, (ulong)(worker * 1000 + i));
                var encrypt = Encoding.ASCII.GetBytes(EncryptToString(message));
                using var back = _crypto.Decrypt(encrypt);
                if (!back.Message.Span.SequenceEqual(message))
                {
                    failures.Enqueue($"worker {worker}, iteration {i}, size {size}");
                }
            }
        });
        Assert.Empty(failures);
    }
}
