using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using WeChatHandlers.Security;

namespace WeChatHandlers.Testing;

/// <summary>
/// A push signed as WeChat signs it: the query string (<c>signature</c>, <c>timestamp</c>, <c>nonce</c>, and in safe mode
/// <c>openid</c>, <c>encrypt_type=aes</c>, <c>msg_signature</c>) and the body (the plaintext, or the safe-mode envelope
/// <c>{"ToUserName":…,"Encrypt":…}</c> / <c>&lt;xml&gt;&lt;ToUserName/&gt;&lt;Encrypt/&gt;&lt;/xml&gt;</c>).
/// </summary>
public sealed class WeChatSignedPush
{
    private WeChatSignedPush(WeChatTestAccount account, string plaintext, string body, string query, WeChatFormat format, bool encrypted,
        string timestamp, string nonce, string signature, string? msgSignature)
    {
        Account = account;
        Plaintext = plaintext;
        Body = body;
        Query = query;
        Format = format;
        Encrypted = encrypted;
        Timestamp = timestamp;
        Nonce = nonce;
        Signature = signature;
        MsgSignature = msgSignature;
    }

    /// <summary>The account it was signed for (used to decrypt the reply).</summary>
    public WeChatTestAccount Account { get; }

    /// <summary>The push document before encryption.</summary>
    public string Plaintext { get; }

    /// <summary>What is POSTed: the plaintext, or the safe-mode envelope.</summary>
    public string Body { get; }

    /// <summary>The query string, starting with <c>?</c>.</summary>
    public string Query { get; }

    /// <summary>XML or JSON.</summary>
    public WeChatFormat Format { get; }

    /// <summary>Whether the body is encrypted (safe mode).</summary>
    public bool Encrypted { get; }

    /// <summary>The <c>timestamp</c>.</summary>
    public string Timestamp { get; }

    /// <summary>The <c>nonce</c>.</summary>
    public string Nonce { get; }

    /// <summary>The <c>signature</c> (over Token, timestamp and nonce).</summary>
    public string Signature { get; }

    /// <summary>The <c>msg_signature</c> (over Token, timestamp, nonce and Encrypt) in safe mode, else <see langword="null"/>.</summary>
    public string? MsgSignature { get; }

    /// <summary>A POST of this push to <paramref name="endpoint"/> (its query is replaced), labelled <c>text/xml</c> as WeChat labels every push.</summary>
    /// <param name="endpoint">The callback URL, e.g. <c>http://127.0.0.1:5080/wechat</c>.</param>
    public HttpRequestMessage ToHttpRequest(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var uri = new UriBuilder(endpoint) { Query = Query[1..] }.Uri;
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body));
        // WeChat labels JSON pushes text/xml too; the endpoint must sniff the body.
        content.Headers.ContentType = new MediaTypeHeaderValue("text/xml") { CharSet = "utf-8" };
        return new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
    }

    internal static WeChatSignedPush Create(WeChatPush push, WeChatTestAccount account, WeChatPushOptions options)
    {
        ArgumentNullException.ThrowIfNull(account);
        var format = push.DocumentFormat ?? options.Format;
        string plaintext = push.Render(format);
        string timestamp = options.Timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        string nonce = options.Nonce ?? RandomNonce();
        string signature = WeChatSignature.ComputeSignature(account.Token, timestamp, nonce);

        string? toUser, fromUser;
        if (push.IsDocument)
        {
            var fields = PushDocument.TryReadFields(plaintext);
            toUser = fields?.GetValueOrDefault("ToUserName");
            fromUser = fields?.GetValueOrDefault("FromUserName");
        }
        else
        {
            toUser = push.Get("ToUserName");
            fromUser = push.Get("FromUserName");
        }

        var query = new StringBuilder("?signature=").Append(signature)
            .Append("&timestamp=").Append(Uri.EscapeDataString(timestamp))
            .Append("&nonce=").Append(Uri.EscapeDataString(nonce));
        if (options.IncludeOpenId && fromUser is not null)
        {
            query.Append("&openid=").Append(Uri.EscapeDataString(fromUser));
        }

        if (!options.Encrypt)
        {
            return new WeChatSignedPush(account, plaintext, plaintext, query.ToString(), format, false, timestamp, nonce, signature, null);
        }

        if (account.EncodingAESKey is null)
        {
            throw new InvalidOperationException("Safe mode needs the account's EncodingAESKey (and AppId).");
        }

        using var crypto = new WeChatCrypto(account.Token, account.EncodingAESKey, account.AppId);
        string encrypt = crypto.Encrypt(Encoding.UTF8.GetBytes(plaintext));
        string msgSignature = WeChatSignature.ComputeMsgSignature(account.Token, timestamp, nonce, encrypt);
        query.Append("&encrypt_type=aes&msg_signature=").Append(msgSignature);
        string to = toUser ?? account.OriginalId;
        string body = format == WeChatFormat.Json
            ? WeChatPush.FromFields([new("ToUserName", to), new("Encrypt", encrypt)]).ToJson()
            : WeChatPush.FromFields([new("ToUserName", to), new("Encrypt", encrypt)]).ToXml();
        return new WeChatSignedPush(account, plaintext, body, query.ToString(), format, true, timestamp, nonce, signature, msgSignature);
    }

    private static string RandomNonce() => RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(CultureInfo.InvariantCulture);
}
