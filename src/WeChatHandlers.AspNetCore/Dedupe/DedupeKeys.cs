using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.AspNetCore;

/// <summary>
/// The dedupe key of a message. It never merges two distinct pushes and is the same for every delivery of one:
/// <c>{account}|m|{MsgId}</c> when the push has a MsgId; otherwise <c>{account}|h|{hash}</c>, a SHA-256 of the whole
/// decrypted message (its plaintext bytes, without surrounding whitespace or a byte order mark), so two events of one
/// sender in one second that differ in any field are two keys, and a retry, plaintext or re-encrypted, is the same key
/// (WeChat re-encrypts the same plaintext with a new random prefix). Neither form carries a payload value a log should not.
/// </summary>
internal static class DedupeKeys
{
    private const int HashBytes = 16;

    public static string For(WeChatAccount account, in WeChatPayload payload)
    {
        if (payload.Contains(WeChatField.MsgId) && payload.TryGetInt64(WeChatField.MsgId, out long msgId))
        {
            // The common case in one allocation, and no pooled formatting buffer: the digits on the stack, then one concat.
            Span<char> digits = stackalloc char[20];
            msgId.TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
            return string.Concat(account.Name, "|m|", digits[..written]);
        }

        return ForWholeMessage(account.Name, payload.Data.Span);
    }

    /// <summary>The key derived from the whole plaintext message.</summary>
    internal static string ForWholeMessage(string account, ReadOnlySpan<byte> plaintext)
    {
        var canonical = Canonical(plaintext);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(canonical, hash);
        Span<char> text = stackalloc char[Base64Url.GetEncodedLength(HashBytes)];
        Base64Url.EncodeToChars(hash[..HashBytes], text);
        return string.Concat(account, "|h|", text);
    }

    private static ReadOnlySpan<byte> Canonical(ReadOnlySpan<byte> plaintext)
    {
        var trimmed = plaintext.Trim(" \t\r\n"u8);
        if (trimmed.StartsWith("\uFEFF"u8))
        {
            trimmed = trimmed[3..].TrimStart(" \t\r\n"u8);
        }

        return trimmed;
    }
}
