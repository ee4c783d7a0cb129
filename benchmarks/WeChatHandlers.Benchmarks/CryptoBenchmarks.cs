using System.Text;
using BenchmarkDotNet.Attributes;
using WeChatHandlers.Benchmarks.Baselines;
using WeChatHandlers.Security;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// Safe mode: verify msg_signature and decrypt one XML envelope, from the body bytes to the plaintext message.
/// Ours returns the message in a pooled buffer (disposed here, as the endpoint does); the sample returns a string.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("crypto")]
public class SafeModeDecrypt
{
    public const string Token = "benchmarktoken";
    public const string EncodingAesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFA";
    public const string AppId = "wx0123456789abcdef";
    public const string Timestamp = "1714037059";
    public const string Nonce = "486452656";

    private WeChatCrypto _crypto = null!;
    private OfficialSamplePort _sample = null!;
    private byte[] _body = null!;
    private string _signature = null!;

    /// <summary>Plaintext message size in bytes.</summary>
    [Params(200, 1024, 16384)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _crypto = new WeChatCrypto(Token, EncodingAesKey, AppId);
        _sample = new OfficialSamplePort(Token, EncodingAesKey, AppId);
        (_body, _signature) = Envelope(_crypto, TextMessageOfSize(Size));

        // Both sides must accept the envelope, or the comparison is of error paths.
        string message = string.Empty;
        if (_sample.DecryptMsg(_signature, Timestamp, Nonce, Encoding.UTF8.GetString(_body), ref message) != 0 || message.Length == 0)
        {
            throw new InvalidOperationException("The sample port rejects the envelope.");
        }

        using var ours = _crypto.VerifyAndDecrypt(Timestamp, Nonce, _signature, _body);
        if (ours.Message.Length != Size)
        {
            throw new InvalidOperationException("Ours decrypted a different message.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _crypto.Dispose();

    [Benchmark(Baseline = true, Description = "Ours")]
    public int Ours()
    {
        using var message = _crypto.VerifyAndDecrypt(Timestamp, Nonce, _signature, _body);
        return message.Message.Length;
    }

    [Benchmark(Description = "Official sample port")]
    public int OfficialSample()
    {
        string message = string.Empty;
        _sample.DecryptMsg(_signature, Timestamp, Nonce, Encoding.UTF8.GetString(_body), ref message);
        return message.Length;
    }

    /// <summary>
    /// A seed-shaped text message whose Content pads it to exactly <paramref name="size"/> UTF-8 bytes. JSON, because
    /// even the seed's XML text message is 232 bytes; the decryption does not care what the plaintext is.
    /// </summary>
    public static byte[] TextMessageOfSize(int size)
    {
        const string Head = "{\"ToUserName\":\"gh_0123456789ab\",\"FromUserName\":\"o9AgO5Kd5ggOC-bXrbNODIiE3bGY\",\"CreateTime\":1714037059,\"MsgType\":\"text\",\"Content\":\"";
        const string Tail = "\",\"MsgId\":1234567890123456}";
        int fill = size - Head.Length - Tail.Length;
        if (fill < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"A text message is at least {Head.Length + Tail.Length + 1} bytes.");
        }

        var content = new StringBuilder(fill);
        for (int i = 0; content.Length < fill; i++)
        {
            content.Append((char)('a' + (i % 26)));
        }

        return Encoding.UTF8.GetBytes(Head + content + Tail);
    }

    /// <summary>The safe-mode XML envelope of <paramref name="message"/> and its msg_signature.</summary>
    public static (byte[] Body, string MsgSignature) Envelope(WeChatCrypto crypto, byte[] message)
    {
        byte[] encrypted = new byte[crypto.GetEncryptedLength(message.Length)];
        int written = crypto.Encrypt(message, encrypted);
        string encrypt = Encoding.ASCII.GetString(encrypted, 0, written);
        string signature = WeChatSignature.ComputeMsgSignature(Token, Timestamp, Nonce, encrypt);
        string body = $"<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>";
        return (Encoding.UTF8.GetBytes(body), signature);
    }
}

/// <summary>The plaintext <c>signature</c> check every push pays: SHA-1 of token, timestamp and nonce, then a constant-time compare.</summary>
[MemoryDiagnoser]
[BenchmarkCategory("crypto")]
public class PlaintextSignature
{
    private const string Token = "loadtesttoken";
    private const string Timestamp = "1714037059";
    private const string Nonce = "486452656";
    private readonly string _signature = WeChatSignature.ComputeSignature(Token, Timestamp, Nonce);

    [Benchmark(Description = "VerifySignature (query values)")]
    public bool Verify() => WeChatSignature.VerifySignature(_signature, Token, Timestamp, Nonce);
}
