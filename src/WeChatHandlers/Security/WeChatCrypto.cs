using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using WeChatHandlers.Payloads;

namespace WeChatHandlers.Security;

/// <summary>
/// Safe-mode message crypto for one mini program (WeChat's <c>WXBizMsgCrypt</c> scheme): AES-256-CBC with the
/// EncodingAESKey, IV = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks, plaintext layout
/// <c>random(16) ‖ length(4, big-endian) ‖ message ‖ AppId</c>, and the <c>msg_signature</c> over token, timestamp,
/// nonce and Encrypt. Build one per account at configuration time and share it: every member is thread-safe.
/// Every failure raises <see cref="WeChatCryptoException"/>.
/// </summary>
public sealed class WeChatCrypto : IDisposable
{
    /// <summary>The length of an EncodingAESKey: 43 Base64 characters (a 32-byte key without its trailing <c>=</c>).</summary>
    public const int EncodingAesKeyLength = 43;

    /// <summary>The largest message <see cref="Encrypt(ReadOnlySpan{byte}, Span{byte})"/> accepts: 16 MiB.</summary>
    public const int MaxMessageLength = 16 * 1024 * 1024;

    private const int RandomLength = 16;
    private const int HeaderLength = RandomLength + 4;
    private const int PadBlock = 32;
    private const int AesBlock = 16;
    private const int StackLimit = 256;

    private readonly byte[] _token;
    private readonly byte[] _appId;
    private readonly AesCbcPool _aes;

    // Decrypts on the processor's AES instructions where it has them (every push); else _aes decrypts too.
    private readonly AesNiCbcDecryptor? _decryptor;
    private volatile bool _disposed;

    /// <summary>Creates the crypto for one account, validating the configuration.</summary>
    /// <param name="token">The Token of the message push configuration (signs every request).</param>
    /// <param name="encodingAesKey">The EncodingAESKey: 43 characters of Base64.</param>
    /// <param name="appId">The mini program's AppId (<c>wx…</c>), embedded in and checked against every message.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="token"/> or <paramref name="appId"/> is empty.</exception>
    /// <exception cref="WeChatCryptoException">The EncodingAESKey is invalid (<see cref="WeChatCryptoError.IllegalAesKey"/>); the message says why without repeating the key.</exception>
    public WeChatCrypto(string token, string encodingAesKey, string appId)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentNullException.ThrowIfNull(encodingAesKey);
        ArgumentException.ThrowIfNullOrEmpty(appId);

        Span<byte> key = stackalloc byte[32];
        try
        {
            if (!TryDecodeKey(encodingAesKey, key, out string? problem))
            {
                throw new WeChatCryptoException(WeChatCryptoError.IllegalAesKey, problem);
            }

            _aes = new AesCbcPool(key);
            _decryptor = AesNiCbcDecryptor.TryCreate(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        _token = Encoding.UTF8.GetBytes(token);
        _appId = Encoding.UTF8.GetBytes(appId);
        AppId = appId;
    }

    /// <summary>The configured AppId.</summary>
    public string AppId { get; }

    /// <summary>
    /// Whether <paramref name="encodingAesKey"/> is a usable EncodingAESKey, with the reason when it is not
    /// (for options validation at startup). The reason never repeats the key.
    /// </summary>
    public static bool IsValidEncodingAesKey(ReadOnlySpan<char> encodingAesKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        Span<byte> key = stackalloc byte[32];
        bool valid = TryDecodeKey(encodingAesKey, key, out problem);
        CryptographicOperations.ZeroMemory(key);
        return valid;
    }

    private static bool TryDecodeKey(ReadOnlySpan<char> encodingAesKey, Span<byte> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        if (encodingAesKey.Length != EncodingAesKeyLength)
        {
            problem = $"The EncodingAESKey must be exactly {EncodingAesKeyLength} characters; the configured value has {encodingAesKey.Length}.";
            return false;
        }

        // Checked explicitly because the decoder below skips whitespace, which would let a damaged key through.
        foreach (char c in encodingAesKey)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                problem = "The EncodingAESKey must contain only the characters A-Z, a-z, 0-9, '+' and '/'.";
                return false;
            }
        }

        // Key + "=" is Base64 of exactly 32 bytes. Convert's decoder ignores the unused low bits of the 43rd
        // character, as WeChat's own samples do; a strict decoder would reject keys the console hands out.
        Span<char> padded = stackalloc char[EncodingAesKeyLength + 1];
        encodingAesKey.CopyTo(padded);
        padded[^1] = '=';
        bool decoded = Convert.TryFromBase64Chars(padded, key, out int written) && written == key.Length;
        padded.Clear();
        problem = decoded ? null : "The EncodingAESKey is not Base64 of a 32-byte AES key.";
        return decoded;
    }

    /// <summary>Whether <paramref name="signature"/> is the <c>signature</c> query parameter for this account's token (URL verification and every POST).</summary>
    public bool VerifySignature(ReadOnlySpan<char> signature, ReadOnlySpan<char> timestamp, ReadOnlySpan<char> nonce)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return VerifyMsgSignatureCore(signature, timestamp, nonce, default);
    }

    /// <summary>Whether <paramref name="msgSignature"/> is the <c>msg_signature</c> for this token, timestamp, nonce and the unescaped Encrypt value.</summary>
    public bool VerifyMsgSignature(ReadOnlySpan<char> msgSignature, ReadOnlySpan<char> timestamp, ReadOnlySpan<char> nonce, ReadOnlySpan<byte> encrypt)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return VerifyMsgSignatureCore(msgSignature, timestamp, nonce, encrypt);
    }

    private bool VerifyMsgSignatureCore(ReadOnlySpan<char> msgSignature, ReadOnlySpan<char> timestamp, ReadOnlySpan<char> nonce, ReadOnlySpan<byte> encrypt)
    {
        var utf8 = Encoding.UTF8;
        int nt = utf8.GetByteCount(timestamp), nn = utf8.GetByteCount(nonce);
        byte[]? rented = null;
        Span<byte> buffer = nt + nn <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(nt + nn));
        try
        {
            utf8.GetBytes(timestamp, buffer);
            utf8.GetBytes(nonce, buffer[nt..]);
            Span<byte> expected = stackalloc byte[WeChatSignature.HexLength];
            WeChatSignature.ComputeHex(_token, buffer[..nt], buffer.Slice(nt, nn), encrypt, expected);
            return WeChatSignature.HexEquals(expected, msgSignature);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The safe-mode envelope flow: reads <c>Encrypt</c> from the parsed envelope (XML or JSON; the unescaped value),
    /// verifies <paramref name="msgSignature"/> over it, decrypts it and checks the AppId. In compatibility mode the
    /// envelope's plaintext fields are ignored: the decrypted copy is the authoritative message.
    /// </summary>
    /// <param name="timestamp">The <c>timestamp</c> query parameter.</param>
    /// <param name="nonce">The <c>nonce</c> query parameter.</param>
    /// <param name="msgSignature">The <c>msg_signature</c> query parameter.</param>
    /// <param name="envelope">The request body, scanned by <see cref="WeChatPayload.ParseEnvelope(ReadOnlyMemory{byte})"/>.</param>
    /// <returns>The plaintext message; dispose it when done.</returns>
    /// <exception cref="WeChatCryptoException">No Encrypt field, a wrong signature, or any decryption failure.</exception>
    public DecryptedMessage VerifyAndDecrypt(ReadOnlySpan<char> timestamp, ReadOnlySpan<char> nonce, ReadOnlySpan<char> msgSignature, in WeChatPayload envelope)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!envelope.Contains(WeChatField.Encrypt))
        {
            throw new WeChatCryptoException(WeChatCryptoError.ParseEnvelope, "The envelope has no Encrypt field.");
        }

        // Decoding never lengthens a value, so scratch of the raw length always holds the whole unescaped value.
        var slot = envelope.GetSlot(WeChatField.Encrypt);
        byte[]? scratch = slot.Kind == SlotKind.Raw ? null : ArrayPool<byte>.Shared.Rent(slot.Length);
        try
        {
            var encrypt = envelope.GetUtf8(WeChatField.Encrypt, scratch, out bool complete);
            if (!complete)
            {
                throw new WeChatCryptoException(WeChatCryptoError.ParseEnvelope, "The Encrypt field could not be decoded.");
            }

            if (!VerifyMsgSignatureCore(msgSignature, timestamp, nonce, encrypt))
            {
                throw new WeChatCryptoException(WeChatCryptoError.ValidateSignature, "The msg_signature does not match the token, timestamp, nonce and Encrypt value.");
            }

            return Decrypt(encrypt);
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>
    /// Parses the envelope (XML or JSON) and runs <see cref="VerifyAndDecrypt(ReadOnlySpan{char}, ReadOnlySpan{char}, ReadOnlySpan{char}, in WeChatPayload)"/>.
    /// A malformed envelope raises <see cref="WeChatCryptoException"/> with <see cref="WeChatCryptoError.ParseEnvelope"/>
    /// (the scanner's <see cref="WeChatPayloadException"/> is its inner exception).
    /// </summary>
    /// <returns>The plaintext message; dispose it when done.</returns>
    /// <exception cref="WeChatCryptoException">Any failure.</exception>
    public DecryptedMessage VerifyAndDecrypt(ReadOnlySpan<char> timestamp, ReadOnlySpan<char> nonce, ReadOnlySpan<char> msgSignature, ReadOnlyMemory<byte> envelopeUtf8)
    {
        WeChatPayload envelope;
        try
        {
            envelope = WeChatPayload.ParseEnvelope(envelopeUtf8);
        }
        catch (WeChatPayloadException e)
        {
            throw new WeChatCryptoException(WeChatCryptoError.ParseEnvelope, "The envelope is not a well-formed XML or JSON document.", e);
        }

        return VerifyAndDecrypt(timestamp, nonce, msgSignature, envelope);
    }

    /// <summary>
    /// Decrypts one <c>Encrypt</c> value (Base64 as UTF-8 bytes, already unescaped) and checks its padding, length
    /// field and AppId. This does not authenticate the ciphertext: verify <c>msg_signature</c> first, or use
    /// <c>VerifyAndDecrypt</c>, which does both.
    /// </summary>
    /// <returns>The plaintext message in a pooled buffer; dispose it when done.</returns>
    /// <exception cref="WeChatCryptoException">
    /// <see cref="WeChatCryptoError.DecodeBase64"/>, <see cref="WeChatCryptoError.DecryptAes"/>,
    /// <see cref="WeChatCryptoError.IllegalBuffer"/> or <see cref="WeChatCryptoError.ValidateAppId"/>.
    /// </exception>
    public DecryptedMessage Decrypt(ReadOnlySpan<byte> encryptBase64Utf8)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // One pooled buffer: Base64 decodes into it, AES decrypts in place, and on success it becomes the result's.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(Base64.GetMaxDecodedFromUtf8Length(encryptBase64Utf8.Length), 1));
        int used = 0;
        bool handedOver = false;
        try
        {
            var status = Base64.DecodeFromUtf8(encryptBase64Utf8, buffer, out int consumed, out used);
            if (status != OperationStatus.Done || consumed != encryptBase64Utf8.Length)
            {
                throw new WeChatCryptoException(WeChatCryptoError.DecodeBase64, "The Encrypt value is not valid Base64.");
            }

            // At least one 32-byte padding block (the header alone is 20 bytes), and whole AES blocks.
            if (used < PadBlock || used % AesBlock != 0)
            {
                throw new WeChatCryptoException(WeChatCryptoError.DecryptAes, "The ciphertext is not a whole number of AES blocks of at least 32 bytes.");
            }

            try
            {
                if (_decryptor is { } decryptor)
                {
                    decryptor.DecryptInPlace(buffer, used);
                }
                else
                {
                    _aes.DecryptInPlace(buffer, used);
                }
            }
            catch (CryptographicException e)
            {
                throw new WeChatCryptoException(WeChatCryptoError.DecryptAes, "AES decryption failed.", e);
            }

            int messageLength = Unpack(buffer.AsSpan(0, used));
            handedOver = true;
            return new DecryptedMessage(buffer, HeaderLength, messageLength, used);
        }
        finally
        {
            if (!handedOver)
            {
                // A rejected buffer may still hold a partly valid plaintext: wipe it before the pool hands it out.
                CryptographicOperations.ZeroMemory(buffer.AsSpan(0, used));
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Checks padding, length field and AppId of a decrypted buffer and returns the message length.</summary>
    private int Unpack(ReadOnlySpan<byte> plain)
    {
        int pad = plain[^1];
        if (pad is < 1 or > PadBlock)
        {
            throw new WeChatCryptoException(WeChatCryptoError.IllegalBuffer, "The PKCS#7 padding length is outside 1..32.");
        }

        // Every pad byte must equal the pad length; accumulate the differences instead of stopping at the first.
        int difference = 0;
        foreach (byte b in plain[^pad..])
        {
            difference |= b ^ pad;
        }

        if (difference != 0)
        {
            throw new WeChatCryptoException(WeChatCryptoError.IllegalBuffer, "The PKCS#7 padding bytes are not all equal.");
        }

        var body = plain[..^pad];
        if (body.Length < HeaderLength)
        {
            throw new WeChatCryptoException(WeChatCryptoError.IllegalBuffer, "The decrypted buffer is shorter than its 20-byte header.");
        }

        // Read as unsigned: a length with the top bit set is out of bounds, not negative.
        uint length = BinaryPrimitives.ReadUInt32BigEndian(body.Slice(RandomLength, 4));
        if (length > (uint)(body.Length - HeaderLength))
        {
            throw new WeChatCryptoException(WeChatCryptoError.IllegalBuffer, "The message length field is out of bounds.");
        }

        if (!body[(HeaderLength + (int)length)..].SequenceEqual(_appId))
        {
            throw new WeChatCryptoException(WeChatCryptoError.ValidateAppId, "The AppId inside the message is not the configured AppId.");
        }

        return (int)length;
    }

    /// <summary>The length of the Base64 <c>Encrypt</c> value for a message of <paramref name="messageLength"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="messageLength"/> is negative or above <see cref="MaxMessageLength"/>.</exception>
    public int GetEncryptedLength(int messageLength) => Base64.GetMaxEncodedToUtf8Length(GetPaddedLength(messageLength));

    private int GetPaddedLength(int messageLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messageLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(messageLength, MaxMessageLength);
        int full = HeaderLength + messageLength + _appId.Length;
        return full + (PadBlock - (full % PadBlock));
    }

    /// <summary>
    /// Encrypts <paramref name="message"/> with a fresh random prefix and returns the Base64 <c>Encrypt</c> value:
    /// what WeChat would put in a safe-mode push. Convenient for tests and tools; the endpoint uses the span overloads.
    /// </summary>
    /// <exception cref="WeChatCryptoException"><see cref="WeChatCryptoError.EncryptAes"/> or <see cref="WeChatCryptoError.EncodeBase64"/>.</exception>
    public string Encrypt(ReadOnlySpan<byte> message)
    {
        var buffer = new byte[GetEncryptedLength(message.Length)];
        int written = Encrypt(message, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, written);
    }

    /// <summary>Encrypts <paramref name="message"/> with a fresh random prefix and writes the Base64 <c>Encrypt</c> value (UTF-8).</summary>
    /// <returns>The number of bytes written: <see cref="GetEncryptedLength(int)"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    /// <exception cref="WeChatCryptoException"><see cref="WeChatCryptoError.EncryptAes"/> or <see cref="WeChatCryptoError.EncodeBase64"/>.</exception>
    public int Encrypt(ReadOnlySpan<byte> message, Span<byte> destination)
    {
        Span<byte> random = stackalloc byte[RandomLength];
        RandomNumberGenerator.Fill(random);
        return Encrypt(message, random, destination);
    }

    /// <summary>
    /// Encrypts <paramref name="message"/> with the given 16-byte random prefix and writes the Base64 <c>Encrypt</c>
    /// value (UTF-8). A fixed prefix makes the output deterministic (for test vectors); use the overload without it otherwise.
    /// </summary>
    /// <returns>The number of bytes written: <see cref="GetEncryptedLength(int)"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="random16"/> is not 16 bytes, or <paramref name="destination"/> is too small.</exception>
    /// <exception cref="WeChatCryptoException"><see cref="WeChatCryptoError.EncryptAes"/> or <see cref="WeChatCryptoError.EncodeBase64"/>.</exception>
    public int Encrypt(ReadOnlySpan<byte> message, ReadOnlySpan<byte> random16, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (random16.Length != RandomLength)
        {
            throw new ArgumentException($"The random prefix must be {RandomLength} bytes.", nameof(random16));
        }

        int padded = GetPaddedLength(message.Length);
        int encodedLength = Base64.GetMaxEncodedToUtf8Length(padded);
        if (destination.Length < encodedLength)
        {
            throw new ArgumentException($"The destination must hold {encodedLength} bytes.", nameof(destination));
        }

        // ICryptoTransform works on arrays, and the caller's destination may be any span: build and encrypt in a
        // pooled array, then Base64-encode into the destination.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(padded);
        try
        {
            random16.CopyTo(buffer);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(RandomLength, 4), (uint)message.Length);
            message.CopyTo(buffer.AsSpan(HeaderLength));
            _appId.CopyTo(buffer.AsSpan(HeaderLength + message.Length));
            int full = HeaderLength + message.Length + _appId.Length;
            buffer.AsSpan(full, padded - full).Fill((byte)(padded - full));

            try
            {
                _aes.EncryptInPlace(buffer, padded);
            }
            catch (CryptographicException e)
            {
                throw new WeChatCryptoException(WeChatCryptoError.EncryptAes, "AES encryption failed.", e);
            }

            var status = Base64.EncodeToUtf8(buffer.AsSpan(0, padded), destination, out _, out int written);
            if (status != OperationStatus.Done || written != encodedLength)
            {
                throw new WeChatCryptoException(WeChatCryptoError.EncodeBase64, "Base64 encoding of the ciphertext failed.");
            }

            return written;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, padded));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Encrypts a reply and writes the reply envelope WeChat expects in safe mode, with a fresh random prefix:
    /// JSON <c>{"Encrypt":"…","MsgSignature":"…","TimeStamp":1713424427,"Nonce":"415670741"}</c> or XML
    /// <c>&lt;xml&gt;&lt;Encrypt&gt;&lt;![CDATA[…]]&gt;&lt;/Encrypt&gt;&lt;MsgSignature&gt;&lt;![CDATA[…]]&gt;&lt;/MsgSignature&gt;&lt;TimeStamp&gt;1713424427&lt;/TimeStamp&gt;&lt;Nonce&gt;&lt;![CDATA[415670741]]&gt;&lt;/Nonce&gt;&lt;/xml&gt;</c>.
    /// <c>MsgSignature</c> signs token, timestamp, nonce and Encrypt. Do not encrypt <c>success</c> or empty replies.
    /// </summary>
    /// <param name="output">Receives the envelope (UTF-8).</param>
    /// <param name="format">The request's format.</param>
    /// <param name="replyPlaintext">The reply document (XML or JSON, UTF-8).</param>
    /// <param name="timestamp">Unix seconds; the current time is fine.</param>
    /// <param name="nonce">Any nonce; echoing the request's is fine.</param>
    /// <exception cref="WeChatCryptoException">The envelope could not be produced (<see cref="WeChatCryptoError.GenerateReply"/> and the encryption errors).</exception>
    public void WriteReplyEnvelope(IBufferWriter<byte> output, WeChatFormat format, ReadOnlySpan<byte> replyPlaintext, long timestamp, ReadOnlySpan<char> nonce)
    {
        Span<byte> random = stackalloc byte[RandomLength];
        RandomNumberGenerator.Fill(random);
        WriteReplyEnvelope(output, format, replyPlaintext, timestamp, nonce, random);
    }

    /// <summary>
    /// As <see cref="WriteReplyEnvelope(IBufferWriter{byte}, WeChatFormat, ReadOnlySpan{byte}, long, ReadOnlySpan{char})"/>
    /// with the given 16-byte random prefix (deterministic output, for test vectors).
    /// </summary>
    /// <param name="output">Receives the envelope (UTF-8).</param>
    /// <param name="format">The request's format.</param>
    /// <param name="replyPlaintext">The reply document (XML or JSON, UTF-8).</param>
    /// <param name="timestamp">Unix seconds.</param>
    /// <param name="nonce">Any nonce.</param>
    /// <param name="random16">The 16-byte random prefix.</param>
    /// <exception cref="ArgumentException"><paramref name="random16"/> is not 16 bytes.</exception>
    /// <exception cref="WeChatCryptoException">The envelope could not be produced.</exception>
    public void WriteReplyEnvelope(IBufferWriter<byte> output, WeChatFormat format, ReadOnlySpan<byte> replyPlaintext, long timestamp, ReadOnlySpan<char> nonce, ReadOnlySpan<byte> random16)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (format is not (WeChatFormat.Json or WeChatFormat.Xml))
        {
            throw new ArgumentOutOfRangeException(nameof(format));
        }

        var utf8 = Encoding.UTF8;
        int nonceLength = utf8.GetByteCount(nonce);
        byte[]? rented = null;
        Span<byte> nonceUtf8 = nonceLength <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(nonceLength));
        try
        {
            nonceUtf8 = nonceUtf8[..utf8.GetBytes(nonce, nonceUtf8)];
            Span<byte> stamp = stackalloc byte[20];
            System.Buffers.Text.Utf8Formatter.TryFormat(timestamp, stamp, out int stampLength);
            stamp = stamp[..stampLength];

            int escapedNonce = ReplyText.EscapedLength(format, nonceUtf8);
            int encryptLength = GetEncryptedLength(replyPlaintext.Length);
            int total = ReplyText.FixedLength(format) + encryptLength + WeChatSignature.HexLength + stamp.Length + escapedNonce;

            var span = output.GetSpan(total);
            if (span.Length < total)
            {
                throw new WeChatCryptoException(WeChatCryptoError.GenerateReply, "The output buffer is smaller than the reply envelope.");
            }

            int at = Put(span, 0, ReplyText.Part(format, 0));
            int written = Encrypt(replyPlaintext, random16, span[at..]);
            var encrypt = span.Slice(at, written);
            at += written;
            at = Put(span, at, ReplyText.Part(format, 1));
            WeChatSignature.ComputeHex(_token, stamp, nonceUtf8, encrypt, span.Slice(at, WeChatSignature.HexLength));
            at += WeChatSignature.HexLength;
            at = Put(span, at, ReplyText.Part(format, 2));
            at = Put(span, at, stamp);
            at = Put(span, at, ReplyText.Part(format, 3));
            at += ReplyText.WriteEscaped(format, nonceUtf8, span[at..]);
            at = Put(span, at, ReplyText.Part(format, 4));
            output.Advance(at);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Put(Span<byte> span, int at, ReadOnlySpan<byte> text)
    {
        text.CopyTo(span[at..]);
        return at + text.Length;
    }

    /// <summary>
    /// Releases the pooled AES transforms and wipes the keys and token held by this instance. Dispose only once no call
    /// is in flight: a call that started before may fail, or be refused, while the keys are wiped.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _aes.Dispose();
        _decryptor?.Dispose();
        CryptographicOperations.ZeroMemory(_token);
    }
}
