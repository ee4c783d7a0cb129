using System.Buffers;
using System.Globalization;
using System.Text;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;
using Xunit.Abstractions;
using static WeChatHandlers.Tests.Security.Vectors;

namespace WeChatHandlers.Tests.Security;

/// <summary>
/// Safe-mode receive must allocate nothing beyond its pooled plaintext buffer, i.e. nothing once the pool is warm.
/// Measured per thread with <see cref="GC.GetAllocatedBytesForCurrentThread"/> after a warm-up.
/// </summary>
public sealed class AllocationTests(ITestOutputHelper output)
{
    private const int WarmUp = 3000;
    private const int Measured = 1000;

    public enum Envelope
    {
        Json,
        JsonWithEscapedSlashes,
        Xml,
    }

    [Theory]
    [InlineData(Envelope.Json, false)]
    [InlineData(Envelope.JsonWithEscapedSlashes, false)]
    [InlineData(Envelope.Xml, false)]
    [InlineData(Envelope.Json, true)]
    [InlineData(Envelope.Xml, true)]
    public void Verify_and_decrypt_of_a_1_KiB_message_allocates_nothing_once_warm(Envelope kind, bool parseEnvelopeEachTime)
    {
        using var crypto = new WeChatCrypto(Token, EncodingAesKey, AppId);
        var message = Encoding.UTF8.GetBytes("{\"ToUserName\":\"gh_97417a04a28d\",\"MsgType\":\"text\",\"Content\":\"" + new string('x', 1024 - 64) + "\"}");
        var writer = new ArrayBufferWriter<byte>();
        crypto.WriteReplyEnvelope(writer, kind == Envelope.Xml ? WeChatFormat.Xml : WeChatFormat.Json, message, 1714112445, Tv3Nonce);
        var text = Encoding.UTF8.GetString(writer.WrittenSpan);
        var signature = WeChatPayload.ParseEnvelope(writer.WrittenMemory.ToArray()).GetField("MsgSignature")!;
        if (kind == Envelope.JsonWithEscapedSlashes)
        {
            Assert.Contains('/', text);
            text = text.Replace("/", "\\/", StringComparison.Ordinal);
        }

        ReadOnlyMemory<byte> body = Encoding.UTF8.GetBytes(text);
        var parsed = WeChatPayload.ParseEnvelope(body);
        const string timestamp = "1714112445";
        string nonce = Tv3Nonce;

        void Once()
        {
            var envelope = parseEnvelopeEachTime ? WeChatPayload.ParseEnvelope(body) : parsed;
            using var decrypted = crypto.VerifyAndDecrypt(timestamp, nonce, signature, envelope);
            if (decrypted.Message.Length != message.Length)
            {
                throw new InvalidOperationException("Wrong plaintext length.");
            }
        }

        long bytes = Measure(Once);
        output.WriteLine($"{kind}, parse each time: {parseEnvelopeEachTime}: {bytes} bytes allocated over {Measured} messages");
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Signature_verification_allocates_nothing()
    {
        using var crypto = new WeChatCrypto(Token, EncodingAesKey, AppId);
        var upper = Tv1Signature.ToUpperInvariant();
        long bytes = Measure(() =>
        {
            if (!crypto.VerifySignature(Tv1Signature, Tv1Timestamp, Tv1Nonce) || !WeChatSignature.VerifySignature(upper, Token, Tv1Timestamp, Tv1Nonce))
            {
                throw new InvalidOperationException("Signature mismatch.");
            }
        });
        output.WriteLine($"verify signature: {bytes} bytes allocated over {Measured} calls");
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Encrypting_a_reply_envelope_allocates_nothing_once_warm()
    {
        using var crypto = new WeChatCrypto(Token, EncodingAesKey, AppId);
        var reply = Encoding.UTF8.GetBytes(Tv4Message);
        var writer = new ArrayBufferWriter<byte>(1024);
        long bytes = Measure(() =>
        {
            writer.ResetWrittenCount();
            crypto.WriteReplyEnvelope(writer, WeChatFormat.Json, reply, 1713424427, Tv4Nonce);
        });
        output.WriteLine($"reply envelope: {bytes} bytes allocated over {Measured} replies");
        Assert.Equal(0, bytes);
    }

    private static long Measure(Action action)
    {
        for (int i = 0; i < WarmUp; i++)
        {
            action();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Measured; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
