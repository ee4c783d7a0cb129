using System.Text;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;
using static WeChatHandlers.Tests.Security.Vectors;

namespace WeChatHandlers.Tests.Security;

/// <summary>Every strict check, each with its own typed error, and configuration-time key validation.</summary>
public sealed class WeChatCryptoRejectionTests : IDisposable
{
    private static readonly byte[] Random16 = Encoding.ASCII.GetBytes("0123456789abcdef");
    private readonly WeChatCrypto _crypto = new(Token, EncodingAesKey, AppId);

    public void Dispose() => _crypto.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 42
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 44
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // padding character
    [InlineData("AAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAAA")] // whitespace (Convert would skip it)
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-")] // URL-safe alphabet
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAé")]
    public void Invalid_encoding_aes_key_is_rejected_at_construction(string key)
    {
        var e = CryptoAssert.Throws(WeChatCryptoError.IllegalAesKey, () => new WeChatCrypto(Token, key, AppId).Dispose(), key);
        Assert.Contains("EncodingAESKey", e.Message, StringComparison.Ordinal);
        Assert.False(WeChatCrypto.IsValidEncodingAesKey(key, out var problem));
        Assert.Equal(e.Message, problem);
    }

    [Theory]
    [InlineData(EncodingAesKey)]
    [InlineData(Tv5EncodingAesKey)] // its last character carries non-zero unused bits; WeChat's samples accept it
    [InlineData("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123+/9")]
    public void Valid_keys_are_accepted(string key)
    {
        Assert.True(WeChatCrypto.IsValidEncodingAesKey(key, out var problem));
        Assert.Null(problem);
        using var crypto = new WeChatCrypto(Token, key, AppId);
        Assert.Equal(AppId, crypto.AppId);
    }

    [Fact]
    public void Empty_token_or_app_id_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => new WeChatCrypto("", EncodingAesKey, AppId));
        Assert.Throws<ArgumentException>(() => new WeChatCrypto(Token, EncodingAesKey, ""));
        Assert.Throws<ArgumentNullException>(() => new WeChatCrypto(Token, null!, AppId));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("+qdx1OKCy+5JPCBF=Ww70tm0fJGb2Jmeia4F")]
    [InlineData("+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04")] // TV3 without its '='
    [InlineData("+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05J\u00ff")]
    public void Bad_base64_is_decode_base64(string encrypt)
    {
        CryptoAssert.Throws(WeChatCryptoError.DecodeBase64, () => _crypto.Decrypt(Encoding.UTF8.GetBytes(encrypt)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)] // one block: shorter than one 32-byte padding block
    [InlineData(31)]
    [InlineData(40)] // not a whole number of AES blocks
    [InlineData(225)]
    public void Ciphertext_of_the_wrong_length_is_decrypt_aes(int length)
    {
        var encrypt = Convert.ToBase64String(new byte[length]);
        CryptoAssert.Throws(WeChatCryptoError.DecryptAes, () => _crypto.Decrypt(Encoding.ASCII.GetBytes(encrypt)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    [InlineData(0xFF)]
    public void Pad_byte_outside_1_to_32_is_illegal_buffer(int pad)
    {
        var blocks = CryptoAssert.Pad32(CryptoAssert.Layout(Random16, "{}"u8, AppId));
        blocks[^1] = (byte)pad;
        AssertDecryptFails(WeChatCryptoError.IllegalBuffer, blocks);
    }

    [Fact]
    public void Unequal_pad_bytes_are_illegal_buffer()
    {
        // FullStr of 40 bytes → 24 pad bytes of 24; corrupt each pad byte except the last in turn.
        var layout = CryptoAssert.Layout(Random16, "{\"a\":1}"u8[..2], AppId);
        var good = CryptoAssert.Pad32(layout);
        int pad = good[^1];
        Assert.True(pad > 1);
        for (int i = good.Length - pad; i < good.Length - 1; i++)
        {
            var blocks = (byte[])good.Clone();
            blocks[i] ^= 0x01;
            AssertDecryptFails(WeChatCryptoError.IllegalBuffer, blocks);
        }
    }

    [Theory]
    [InlineData(3)] // message is 2 bytes: one too long eats into the AppId, which then no longer matches
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    [InlineData(-1)] // 0xFFFFFFFF: read as unsigned, far out of bounds
    [InlineData(int.MinValue)]
    public void Length_field_out_of_bounds_is_rejected(int lengthField)
    {
        var blocks = CryptoAssert.Pad32(CryptoAssert.Layout(Random16, "{}"u8, AppId, lengthField));
        var error = lengthField == 3 ? WeChatCryptoError.ValidateAppId : WeChatCryptoError.IllegalBuffer;
        AssertDecryptFails(error, blocks);
    }

    [Fact]
    public void Length_field_pointing_past_the_app_id_is_illegal_buffer()
    {
        var blocks = CryptoAssert.Pad32(CryptoAssert.Layout(Random16, "{}"u8, AppId, 2 + AppId.Length + 1));
        AssertDecryptFails(WeChatCryptoError.IllegalBuffer, blocks);
    }

    [Fact]
    public void Buffer_shorter_than_its_header_is_illegal_buffer()
    {
        // 32 bytes, all padding: no room for random prefix and length field.
        var blocks = Enumerable.Repeat((byte)32, 32).ToArray();
        AssertDecryptFails(WeChatCryptoError.IllegalBuffer, blocks);
        // 19 bytes of header, then 13 bytes of 13: one byte short of the 20-byte header.
        var shortOne = new byte[32];
        shortOne.AsSpan(19).Fill(13);
        AssertDecryptFails(WeChatCryptoError.IllegalBuffer, shortOne);
    }

    [Theory]
    [InlineData("wxba5fad812f8e6fb8")] // one character off
    [InlineData("wxba5fad812f8e6fb")] // a prefix
    [InlineData("wxba5fad812f8e6fb99")] // longer
    [InlineData("WXBA5FAD812F8E6FB9")] // case differs: comparison is ordinal
    [InlineData("")]
    public void Wrong_app_id_is_validate_app_id(string embedded)
    {
        var blocks = CryptoAssert.Pad32(CryptoAssert.Layout(Random16, "{}"u8, embedded));
        AssertDecryptFails(WeChatCryptoError.ValidateAppId, blocks);
    }

    [Fact]
    public void Message_encrypted_for_another_app_is_validate_app_id_even_with_a_valid_signature()
    {
        using var other = new WeChatCrypto(Token, EncodingAesKey, "wx0000000000000000");
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        other.WriteReplyEnvelope(output, WeChatFormat.Json, "{}"u8, 1, "2");
        var envelope = WeChatPayload.ParseEnvelope(output.WrittenMemory.ToArray());
        var signature = envelope.GetField("MsgSignature")!;
        CryptoAssert.Throws(WeChatCryptoError.ValidateAppId, () => _crypto.VerifyAndDecrypt("1", "2", signature, envelope).Dispose());
    }

    [Fact]
    public void Wrong_key_never_yields_a_message()
    {
        using var wrongKey = new WeChatCrypto(Token, Tv5EncodingAesKey, AppId);
        var e = Assert.Throws<WeChatCryptoException>(() => wrongKey.Decrypt(Encoding.ASCII.GetBytes(Tv3Encrypt)));
        Assert.Contains(e.Error, new[] { WeChatCryptoError.IllegalBuffer, WeChatCryptoError.ValidateAppId });
    }

    [Fact]
    public void Wrong_signature_is_validate_signature_and_nothing_is_decrypted()
    {
        var envelope = Encoding.UTF8.GetBytes(Tv3JsonEnvelope);
        CryptoAssert.Throws(WeChatCryptoError.ValidateSignature, () => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3Signature, envelope).Dispose(), Tv3Message);
        CryptoAssert.Throws(WeChatCryptoError.ValidateSignature, () => _crypto.VerifyAndDecrypt(Tv3Timestamp, "415670742", Tv3MsgSignature, envelope).Dispose());
        CryptoAssert.Throws(WeChatCryptoError.ValidateSignature, () => _crypto.VerifyAndDecrypt("1714112446", Tv3Nonce, Tv3MsgSignature, envelope).Dispose());
        CryptoAssert.Throws(WeChatCryptoError.ValidateSignature, () => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, "", envelope).Dispose());
        using var otherToken = new WeChatCrypto("AAAAB", EncodingAesKey, AppId);
        CryptoAssert.Throws(WeChatCryptoError.ValidateSignature, () => otherToken.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, envelope).Dispose());
    }

    [Theory]
    [InlineData("{\"ToUserName\":\"gh_97417a04a28d\"}")]
    [InlineData("<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName></xml>")]
    [InlineData("{\"Encrypt\":null}")]
    public void Envelope_without_encrypt_is_parse_envelope(string envelope)
    {
        CryptoAssert.Throws(WeChatCryptoError.ParseEnvelope, () => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, Encoding.UTF8.GetBytes(envelope)).Dispose());
    }

    [Theory]
    [InlineData("")]
    [InlineData("success")]
    [InlineData("{\"Encrypt\":\"abc")]
    [InlineData("<xml><Encrypt>abc</Encrypt>")]
    [InlineData("<!DOCTYPE xml><xml><Encrypt>abc</Encrypt></xml>")]
    public void Malformed_envelope_is_parse_envelope_with_the_scanner_error_inside(string envelope)
    {
        var e = CryptoAssert.Throws(WeChatCryptoError.ParseEnvelope, () => _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, Encoding.UTF8.GetBytes(envelope)).Dispose());
        Assert.IsType<WeChatPayloadException>(e.InnerException);
    }

    [Fact]
    public void Disposing_the_message_wipes_and_releases_it_once()
    {
        var message = _crypto.Decrypt(Encoding.ASCII.GetBytes(Tv3Encrypt));
        Assert.Equal(167, message.Message.Length);
        message.Dispose();
        Assert.True(message.Message.IsEmpty);
        message.Dispose();
        Assert.True(default(DecryptedMessage).Message.IsEmpty);
    }

    [Fact]
    public void A_disposed_crypto_refuses_work()
    {
        var crypto = new WeChatCrypto(Token, EncodingAesKey, AppId);
        crypto.Dispose();
        Assert.Throws<ObjectDisposedException>(() => crypto.Decrypt(Encoding.ASCII.GetBytes(Tv3Encrypt)));
        Assert.Throws<ObjectDisposedException>(() => crypto.VerifySignature(Tv3Signature, Tv3Timestamp, Tv3Nonce));
    }

    [Fact]
    public void Encrypt_argument_errors()
    {
        Assert.Throws<ArgumentException>(() => _crypto.Encrypt("{}"u8, new byte[15], new byte[200]));
        Assert.Throws<ArgumentException>(() => _crypto.Encrypt("{}"u8, new byte[_crypto.GetEncryptedLength(2) - 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => _crypto.GetEncryptedLength(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _crypto.GetEncryptedLength(WeChatCrypto.MaxMessageLength + 1));
    }

    [Fact]
    public void Instance_signature_checks_use_the_configured_token()
    {
        Assert.True(_crypto.VerifySignature(Tv1Signature, Tv1Timestamp, Tv1Nonce));
        Assert.True(_crypto.VerifySignature(Tv1Signature.ToUpperInvariant(), Tv1Timestamp, Tv1Nonce));
        Assert.False(_crypto.VerifySignature(Tv2Signature, Tv1Timestamp, Tv1Nonce));
        Assert.True(_crypto.VerifyMsgSignature(Tv3MsgSignature, Tv3Timestamp, Tv3Nonce, Encoding.ASCII.GetBytes(Tv3Encrypt)));
        Assert.False(_crypto.VerifyMsgSignature(Tv3MsgSignature, Tv3Timestamp, Tv3Nonce, Encoding.ASCII.GetBytes(Tv3Encrypt[1..])));
    }

    private void AssertDecryptFails(WeChatCryptoError expected, byte[] plaintextBlocks)
    {
        var encrypt = Convert.ToBase64String(CryptoAssert.RawEncrypt(EncodingAesKey, plaintextBlocks));
        CryptoAssert.Throws(expected, () => _crypto.Decrypt(Encoding.ASCII.GetBytes(encrypt)).Dispose());
    }
}
