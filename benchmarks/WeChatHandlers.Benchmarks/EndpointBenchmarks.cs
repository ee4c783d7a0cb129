using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WeChatHandlers.AspNetCore;
using WeChatHandlers.Security;
using WeChatHandlers.Tests;

namespace WeChatHandlers.Benchmarks;

/// <summary>
/// The endpoint's own cost per request, without sockets or Kestrel's parser: the RequestDelegate that
/// <c>MapWeChatCallback</c> maps, called with a fresh HttpContext per request, against a delegate that only reads the
/// body and writes "success" (the same floor as the HTTP comparison's bare endpoint). Both read the body through
/// <c>BodyReader</c> from a pipe whose data has arrived, as under Kestrel. The difference is what the
/// framework adds to every request: signature, decryption, scan, dedupe, scope, dispatch, metrics, reply.
/// Plaintext cases run the default configuration (the default memory dedupe store) and give every request its own
/// MsgId, so each is a first delivery; the safe-mode cases repeat one pre-encrypted message and so run the
/// <see cref="ForgetfulDedupeStore"/> (marked in their names). Each safe-mode envelope is in its message's format, as
/// in the HTTP comparison's requests.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("endpoint")]
public class EndpointPerRequest
{
    private const string Token = SafeModeDecrypt.Token;
    private const string Timestamp = SafeModeDecrypt.Timestamp;
    private const string Nonce = SafeModeDecrypt.Nonce;

    private static readonly byte[] s_success = "success"u8.ToArray();

    private WebApplication _app = null!;
    private RequestDelegate _ours = null!;
    private byte[] _body = null!;
    private QueryString _query;
    private int _msgIdAt = -1;
    private long _msgId = 1_000_000_000_000_000;

    [Params("xml-plain", "json-plain", "xml-aes (forgetful store)", "json-aes (forgetful store)")]
    public string Case { get; set; } = "xml-plain";

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (Case.Contains("aes", StringComparison.Ordinal))
        {
            builder.Services.AddSingleton<IWeChatDedupeStore, ForgetfulDedupeStore>();
        }

        builder.Services.AddWeChatHandlers();
        builder.Services.AddWeChatCallback(o =>
        {
            o.Token = Token;
            o.EncodingAESKey = SafeModeDecrypt.EncodingAesKey;
            o.AppId = SafeModeDecrypt.AppId;
        });
        _app = builder.Build();
        _app.MapWeChatCallback("/wechat");
        _ours = ((IEndpointRouteBuilder)_app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().Single().RequestDelegate!;

        string message = Case.StartsWith("xml", StringComparison.Ordinal) ? SeedPackets.TextXml : SeedPackets.TextJson;
        string signature = WeChatSignature.ComputeSignature(Token, Timestamp, Nonce);
        if (Case.Contains("aes", StringComparison.Ordinal))
        {
            using var crypto = new WeChatCrypto(Token, SafeModeDecrypt.EncodingAesKey, SafeModeDecrypt.AppId);
            var (envelope, msgSignature) = Case.StartsWith("xml", StringComparison.Ordinal)
                ? SafeModeDecrypt.Envelope(crypto, Encoding.UTF8.GetBytes(message))
                : JsonEnvelope(crypto, Encoding.UTF8.GetBytes(message));
            _body = envelope;
            _query = new QueryString($"?signature={signature}&timestamp={Timestamp}&nonce={Nonce}&encrypt_type=aes&msg_signature={msgSignature}");
        }
        else
        {
            _body = Encoding.UTF8.GetBytes(message);
            _msgIdAt = message.IndexOf("1234567890123456", StringComparison.Ordinal);
            _query = new QueryString($"?signature={signature}&timestamp={Timestamp}&nonce={Nonce}");
        }

        var probe = NewContext();
        _ours(probe).GetAwaiter().GetResult();
        if (probe.Response.StatusCode != 200)
        {
            throw new InvalidOperationException($"The endpoint answered {probe.Response.StatusCode}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _app.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "Bare: read body, answer success")]
    public async Task<int> Bare()
    {
        var http = NewContext();
        var reader = http.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync();
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        http.Response.ContentLength = s_success.Length;
        await http.Response.Body.WriteAsync(s_success);
        return http.Response.StatusCode;
    }

    [Benchmark(Description = "MapWeChatCallback endpoint")]
    public async Task<int> Ours()
    {
        var http = NewContext();
        await _ours(http);
        return http.Response.StatusCode;
    }

    private sealed class BodyPipe(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader => reader;
    }

    /// <summary>The safe-mode JSON envelope of <paramref name="message"/> and its msg_signature ('/' unescaped, as the HTTP comparison sends it).</summary>
    private static (byte[] Body, string MsgSignature) JsonEnvelope(WeChatCrypto crypto, byte[] message)
    {
        byte[] encrypted = new byte[crypto.GetEncryptedLength(message.Length)];
        string encrypt = Encoding.ASCII.GetString(encrypted, 0, crypto.Encrypt(message, encrypted));
        string signature = WeChatSignature.ComputeMsgSignature(Token, Timestamp, Nonce, encrypt);
        return (Encoding.UTF8.GetBytes($$"""{"ToUserName":"gh_0123456789ab","Encrypt":"{{encrypt}}"}"""), signature);
    }

    private DefaultHttpContext NewContext()
    {
        var http = new DefaultHttpContext { RequestServices = _app.Services };
        http.Request.Method = HttpMethods.Post;
        http.Request.Path = "/wechat";
        http.Request.QueryString = _query;
        http.Request.ContentType = "text/xml";
        http.Request.ContentLength = _body.Length;
        if (_msgIdAt >= 0)
        {
            // A fresh 16-digit MsgId in place: every plaintext request is a first delivery for the default store.
            System.Buffers.Text.Utf8Formatter.TryFormat(++_msgId, _body.AsSpan(_msgIdAt, 16), out _);
        }

        // The body as Kestrel hands it over: a pipe whose data has arrived (both delegates read it through BodyReader).
        http.Features.Set<IRequestBodyPipeFeature>(new BodyPipe(PipeReader.Create(new ReadOnlySequence<byte>(_body))));
        http.Response.Body = Stream.Null;
        return http;
    }
}
