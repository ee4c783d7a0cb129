using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;

namespace WeChatHandlers.Tests.Security;

/// <summary>
/// Interop in both directions with an independent implementation, the npm package <c>wechat-crypto</c>, through
/// vectors it recorded: tests/WeChatHandlers.Tests/Fixtures/wechat-crypto/vectors.json, written by <c>record.js</c>
/// there. Each vector holds the 16 random bytes the peer drew, so our encryption of the same message must equal the
/// peer's ciphertext byte for byte (what the peer decrypts, we produce), and the peer's ciphertext must verify and
/// decrypt here. <c>.ci/run</c> records afresh with the live peer and runs these tests again on that recording,
/// named by the environment variable <see cref="VectorsVariable"/>.
/// </summary>
public sealed class WeChatCryptoInteropTests : IDisposable
{
    /// <summary>Names a recording to test instead of the committed one (the live interop step sets it).</summary>
    public const string VectorsVariable = "WECHATHANDLERS_INTEROP_VECTORS";

    private static readonly Lazy<Recording> s_recording = new(Recording.Load);
    private readonly WeChatCrypto _crypto;

    public WeChatCryptoInteropTests()
    {
        var r = s_recording.Value;
        _crypto = new WeChatCrypto(r.Token, r.EncodingAesKey, r.AppId);
    }

    public void Dispose() => _crypto.Dispose();

    [Fact]
    public void The_recording_covers_every_pad_length_and_large_multibyte_messages()
    {
        var vectors = s_recording.Value.Vectors;
        var pads = vectors.Select(v => 32 - ((20 + Encoding.UTF8.GetByteCount(v.Message) + s_recording.Value.AppId.Length) % 32)).ToHashSet();
        Assert.Equal(Enumerable.Range(1, 32).ToHashSet(), pads);
        Assert.Contains(vectors, v => v.Message.Length >= 65536);
        Assert.Contains(vectors, v => v.Message.Any(char.IsSurrogate));
    }

    [Fact]
    public void Our_encryption_with_the_peers_random_prefix_equals_the_peers_ciphertext()
    {
        foreach (var vector in s_recording.Value.Vectors)
        {
            var message = Encoding.UTF8.GetBytes(vector.Message);
            var destination = new byte[_crypto.GetEncryptedLength(message.Length)];
            int written = _crypto.Encrypt(message, Convert.FromBase64String(vector.Random), destination);
            Assert.Equal(vector.Encrypt, Encoding.ASCII.GetString(destination, 0, written));
        }
    }

    [Fact]
    public void Our_signature_of_the_peers_ciphertext_equals_the_peers()
    {
        var r = s_recording.Value;
        foreach (var vector in r.Vectors)
        {
            Assert.Equal(vector.MsgSignature, WeChatSignature.ComputeMsgSignature(r.Token, r.Timestamp, r.Nonce, vector.Encrypt));
        }
    }

    [Fact]
    public void The_peers_ciphertexts_verify_and_decrypt_in_both_envelope_formats()
    {
        var r = s_recording.Value;
        foreach (var vector in r.Vectors)
        {
            // The peer's Base64 contains '/', so the JSON envelope also exercises the "\/" escape.
            var json = "{\"ToUserName\":\"gh_97417a04a28d\",\"Encrypt\":\"" + vector.Encrypt.Replace("/", "\\/", StringComparison.Ordinal) + "\"}";
            var xml = "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName><Encrypt><![CDATA[" + vector.Encrypt + "]]></Encrypt></xml>";
            foreach (var envelope in new[] { json, xml })
            {
                using var message = _crypto.VerifyAndDecrypt(r.Timestamp, r.Nonce, vector.MsgSignature, Encoding.UTF8.GetBytes(envelope));
                Assert.Equal(vector.Message, CryptoAssert.Utf8(message.Message));
            }
        }
    }

    [Fact]
    public void Our_reply_envelopes_carry_the_peers_ciphertext_and_signature()
    {
        var r = s_recording.Value;
        long timestamp = long.Parse(r.Timestamp, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (vector, index) in r.Vectors.Select((v, i) => (v, i)))
        {
            var output = new ArrayBufferWriter<byte>();
            var format = index % 2 == 0 ? WeChatFormat.Json : WeChatFormat.Xml;
            _crypto.WriteReplyEnvelope(output, format, Encoding.UTF8.GetBytes(vector.Message), timestamp, r.Nonce, Convert.FromBase64String(vector.Random));
            var envelope = WeChatPayload.ParseEnvelope(output.WrittenMemory.ToArray());
            Assert.Equal(vector.Encrypt, envelope.GetField("Encrypt"));
            Assert.Equal(vector.MsgSignature, envelope.GetField("MsgSignature"));
        }
    }

    private sealed record Vector(string Message, string Random, string Encrypt, string MsgSignature);

    private sealed record Recording(string Token, string EncodingAesKey, string AppId, string Timestamp, string Nonce, IReadOnlyList<Vector> Vectors)
    {
        public static Recording Load()
        {
            string path = Environment.GetEnvironmentVariable(VectorsVariable) is { Length: > 0 } given
                ? given
                : Path.Combine(AppContext.BaseDirectory, "Fixtures", "wechat-crypto", "vectors.json");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The interop recording {path} does not exist (record it with `node record.js > vectors.json` in tests/WeChatHandlers.Tests/Fixtures/wechat-crypto).", path);
            }

            var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var vectors = root["vectors"]!.AsArray()
                .Select(v => new Vector((string)v!["message"]!, (string)v["random"]!, (string)v["encrypt"]!, (string)v["msgSignature"]!))
                .ToList();
            Assert.NotEmpty(vectors);
            return new Recording((string)root["token"]!, (string)root["encodingAESKey"]!, (string)root["appId"]!, (string)root["timestamp"]!, (string)root["nonce"]!, vectors);
        }
    }
}
