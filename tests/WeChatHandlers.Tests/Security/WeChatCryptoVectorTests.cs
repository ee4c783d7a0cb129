using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;
using static WeChatHandlers.Tests.Security.Vectors;

namespace WeChatHandlers.Tests.Security;

/// <summary>protocol.md §9: TV3–TV6 byte for byte, through every envelope form.</summary>
public sealed class WeChatCryptoVectorTests : IDisposable
{
    private readonly WeChatCrypto _crypto = new(Token, EncodingAesKey, AppId);
    private readonly WeChatCrypto _tv5 = new(Tv5Token, Tv5EncodingAesKey, Tv5Id);

    public void Dispose()
    {
        _crypto.Dispose();
        _tv5.Dispose();
    }

    [Fact]
    public void Tv3_json_envelope_verifies_and_decrypts()
    {
        using var message = _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, Encoding.UTF8.GetBytes(Tv3JsonEnvelope));
        Assert.Equal(Tv3Message, CryptoAssert.Utf8(message.Message));
        Assert.Equal(167, message.Message.Length);
    }

    [Fact]
    public void Tv3_plaintext_layout_is_as_documented()
    {
        // Independent of the code under test: 224 bytes → 19 × 0x13 pad → 205 = 16 + 4 + 167 + 18.
        var plain = CryptoAssert.RawDecrypt(EncodingAesKey, Convert.FromBase64String(Tv3Encrypt));
        Assert.Equal(224, plain.Length);
        Assert.All(plain[205..], b => Assert.Equal(0x13, b));
        Assert.Equal(Tv3Random, Encoding.ASCII.GetString(plain, 0, 16));
        Assert.Equal(167, BinaryPrimitives.ReadInt32BigEndian(plain.AsSpan(16)));
        Assert.Equal(AppId, Encoding.ASCII.GetString(plain, 187, 18));

        // Our encryption of the same message with the same prefix gives the official ciphertext back.
        var encrypt = new byte[_crypto.GetEncryptedLength(167)];
        int n = _crypto.Encrypt(Encoding.UTF8.GetBytes(Tv3Message), Encoding.ASCII.GetBytes(Tv3Random), encrypt);
        Assert.Equal(Tv3Encrypt, Encoding.ASCII.GetString(encrypt, 0, n));
    }

    [Fact]
    public void Tv3_xml_envelope_verifies_and_decrypts()
    {
        var xml = $"<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName><Encrypt><![CDATA[{Tv3Encrypt}]]></Encrypt></xml>";
        using var message = _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, Encoding.UTF8.GetBytes(xml));
        Assert.Equal(Tv3Message, CryptoAssert.Utf8(message.Message));
    }

    [Theory]
    [InlineData("{\"ToUserName\":\"gh_97417a04a28d\",\"Encrypt\":\"{0}\"}", false)]
    [InlineData("{\"ToUserName\":\"gh_97417a04a28d\",\"Encrypt\":\"{0}\"}", true)] // JSON may escape '/' as "\/"
    [InlineData("{\"Encrypt\":\"{0}\",\"ToUserName\":\"gh_97417a04a28d\"}", true)]
    [InlineData("<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName><Encrypt><![CDATA[{0}]]></Encrypt></xml>", false)]
    [InlineData("<xml>\n  <ToUserName>gh_97417a04a28d</ToUserName>\n  <Encrypt>{0}</Encrypt>\n</xml>", false)] // plain text, no CDATA
    public void Signature_covers_the_unescaped_encrypt_value(string template, bool escapeSlashes)
    {
        var value = escapeSlashes ? Tv3Encrypt.Replace("/", "\\/", StringComparison.Ordinal) : Tv3Encrypt;
        var envelope = Encoding.UTF8.GetBytes(template.Replace("{0}", value, StringComparison.Ordinal));

        var payload = WeChatPayload.ParseEnvelope(envelope);
        Assert.Equal("gh_97417a04a28d", payload.GetString(WeChatField.ToUserName));
        using var message = _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, payload);
        Assert.Equal(Tv3Message, CryptoAssert.Utf8(message.Message));
    }

    [Fact]
    public void Xml_encrypt_split_across_cdata_and_entities_is_unescaped_before_verifying()
    {
        // "+" as a character reference and the value split into two CDATA sections: the signed value is the text.
        var xml = $"<xml><Encrypt>&#43;{Tv3Encrypt[1..100]}<![CDATA[{Tv3Encrypt[100..]}]]></Encrypt></xml>";
        using var message = _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, Encoding.UTF8.GetBytes(xml));
        Assert.Equal(Tv3Message, CryptoAssert.Utf8(message.Message));
    }

    [Fact]
    public void Compatibility_mode_uses_the_decrypted_copy()
    {
        // Plaintext fields beside Encrypt are not covered by msg_signature: they must not win.
        var envelope = "{\"ToUserName\":\"gh_forged\",\"FromUserName\":\"attacker\",\"CreateTime\":1,\"MsgType\":\"text\",\"Content\":\"forged\",\"Encrypt\":\"" + Tv3Encrypt + "\"}";
        using var message = _crypto.VerifyAndDecrypt(Tv3Timestamp, Tv3Nonce, Tv3MsgSignature, Encoding.UTF8.GetBytes(envelope));
        Assert.Equal(Tv3Message, CryptoAssert.Utf8(message.Message));
        var inner = WeChatPayload.Parse(message.Message);
        Assert.Equal("gh_97417a04a28d", inner.GetString(WeChatField.ToUserName));
        Assert.Equal("debug_demo", inner.GetString(WeChatField.Event));
    }

    [Fact]
    public void Tv4_reply_encrypts_byte_for_byte()
    {
        var message = Encoding.UTF8.GetBytes(Tv4Message);
        var destination = new byte[_crypto.GetEncryptedLength(message.Length)];
        int n = _crypto.Encrypt(message, Encoding.ASCII.GetBytes(Tv4Random), destination);
        Assert.Equal(Tv4Encrypt, Encoding.ASCII.GetString(destination, 0, n));
        Assert.Equal(destination.Length, n);

        // FullStr 63 bytes → one pad byte 0x01 → 64 bytes.
        var plain = CryptoAssert.RawDecrypt(EncodingAesKey, Convert.FromBase64String(Tv4Encrypt));
        Assert.Equal(64, plain.Length);
        Assert.Equal(0x01, plain[63]);
    }

    [Fact]
    public void Tv4_json_reply_envelope_is_exactly_the_official_one()
    {
        var output = new ArrayBufferWriter<byte>();
        _crypto.WriteReplyEnvelope(output, WeChatFormat.Json, Encoding.UTF8.GetBytes(Tv4Message), Tv4Timestamp, Tv4Nonce, Encoding.ASCII.GetBytes(Tv4Random));
        Assert.Equal(
            "{\"Encrypt\":\"" + Tv4Encrypt + "\",\"MsgSignature\":\"" + Tv4MsgSignature + "\",\"TimeStamp\":1713424427,\"Nonce\":\"415670741\"}",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Tv4_xml_reply_envelope_is_exactly_the_documented_one()
    {
        var output = new ArrayBufferWriter<byte>();
        _crypto.WriteReplyEnvelope(output, WeChatFormat.Xml, Encoding.UTF8.GetBytes(Tv4Message), Tv4Timestamp, Tv4Nonce, Encoding.ASCII.GetBytes(Tv4Random));
        Assert.Equal(
            "<xml><Encrypt><![CDATA[" + Tv4Encrypt + "]]></Encrypt><MsgSignature><![CDATA[" + Tv4MsgSignature + "]]></MsgSignature><TimeStamp>1713424427</TimeStamp><Nonce><![CDATA[415670741]]></Nonce></xml>",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData(WeChatFormat.Json)]
    [InlineData(WeChatFormat.Xml)]
    public void Reply_envelope_round_trips_through_the_inbound_path(WeChatFormat format)
    {
        // The receiving side reads Encrypt and MsgSignature back from the envelope and verifies them.
        var output = new ArrayBufferWriter<byte>();
        const string nonce = "n\"o]]>n\\ce";
        _crypto.WriteReplyEnvelope(output, format, "{\"a\":1}"u8, 1713424427, nonce);
        var envelope = WeChatPayload.ParseEnvelope(output.WrittenMemory.ToArray());
        Assert.Equal(nonce, envelope.GetField("Nonce"));
        Assert.Equal("1713424427", envelope.GetField("TimeStamp"));
        var signature = envelope.GetField("MsgSignature")!;
        using var message = _crypto.VerifyAndDecrypt("1713424427", nonce, signature, envelope);
        Assert.Equal("{\"a\":1}", CryptoAssert.Utf8(message.Message));
    }

    [Fact]
    public void Xml_reply_refuses_a_nonce_xml_cannot_carry()
    {
        var output = new ArrayBufferWriter<byte>();
        CryptoAssert.Throws(WeChatCryptoError.GenerateReply, () => _crypto.WriteReplyEnvelope(output, WeChatFormat.Xml, "{}"u8, 1, "a\rb"));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Tv5_encrypts_byte_for_byte_and_signs()
    {
        var message = Encoding.UTF8.GetBytes(Tv5Message);
        Assert.Equal(247, message.Length);
        var destination = new byte[_tv5.GetEncryptedLength(message.Length)];
        int n = _tv5.Encrypt(message, Encoding.ASCII.GetBytes(Tv5Random), destination);
        var encrypt = Encoding.ASCII.GetString(destination, 0, n);
        Assert.Equal(Tv5Encrypt, encrypt);
        Assert.Equal(Tv5MsgSignature, WeChatSignature.ComputeMsgSignature(Tv5Token, Tv5Timestamp, Tv5Nonce, encrypt));

        // pad = 3 bytes of 0x03
        var plain = CryptoAssert.RawDecrypt(Tv5EncodingAesKey, Convert.FromBase64String(Tv5Encrypt));
        Assert.Equal([3, 3, 3], plain[^3..]);
        Assert.NotEqual(3, plain[^4]);

        using var back = _tv5.Decrypt(destination.AsSpan(0, n));
        Assert.Equal(Tv5Message, CryptoAssert.Utf8(back.Message));
    }

    [Fact]
    public void Tv5_echostr_decrypts()
    {
        Assert.True(_tv5.VerifyMsgSignature(Tv5EchoMsgSignature, Tv5EchoTimestamp, Tv5EchoNonce, Encoding.ASCII.GetBytes(Tv5EchoEncrypt)));
        using var message = _tv5.Decrypt(Encoding.ASCII.GetBytes(Tv5EchoEncrypt));
        Assert.Equal(Tv5EchoMessage, CryptoAssert.Utf8(message.Message));
    }

    [Fact]
    public void Tv5_decrypt_vector_verifies_and_decrypts_from_its_xml_envelope()
    {
        using var message = _tv5.VerifyAndDecrypt(Tv5Timestamp, Tv5Nonce, Tv5DecryptMsgSignature, Encoding.UTF8.GetBytes(Tv5DecryptEnvelope));
        var text = CryptoAssert.Utf8(message.Message);
        Assert.Contains("<Content><![CDATA[test]]></Content>", text, StringComparison.Ordinal);
        Assert.Contains("<MsgId>4363689963896700987</MsgId>", text, StringComparison.Ordinal);
        Assert.Contains("<FromUserName><![CDATA[messense]]></FromUserName>", text, StringComparison.Ordinal);
    }

    [Theory]
    // TV6: FullStr length ≡ 0 (mod 32) → 32 × 0x20; 63 → 1 × 0x01; 205 → 19 × 0x13.
    [InlineData(64 - 20 - 18, 32)]
    [InlineData(96 - 20 - 18, 32)]
    [InlineData(63 - 20 - 18, 1)]
    [InlineData(205 - 20 - 18, 19)]
    public void Tv6_padding_edge_cases(int messageLength, int expectedPad)
    {
        var message = new byte[messageLength];
        Random.Shared.NextBytes(message);
        var destination = new byte[_crypto.GetEncryptedLength(messageLength)];
        int n = _crypto.Encrypt(message, destination);

        var plain = CryptoAssert.RawDecrypt(EncodingAesKey, Convert.FromBase64String(Encoding.ASCII.GetString(destination, 0, n)));
        int full = 20 + messageLength + AppId.Length;
        Assert.Equal(full + expectedPad, plain.Length);
        Assert.All(plain[full..], b => Assert.Equal(expectedPad, b));

        using var back = _crypto.Decrypt(destination.AsSpan(0, n));
        Assert.Equal(message, back.Message.ToArray());
    }
}
