using System.Buffers;
using System.Security.Cryptography;

namespace WeChatHandlers.Security;

/// <summary>
/// A decrypted safe-mode message: the plaintext XML or JSON push, in a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/>. Dispose it exactly once when done (after the dispatch that reads it completes);
/// disposal wipes the plaintext and returns the buffer. A value type so that decryption allocates nothing;
/// copies share the buffer, so dispose only one of them.
/// </summary>
public struct DecryptedMessage : IDisposable
{
    private byte[]? _buffer;
    private readonly int _start;
    private readonly int _length;
    private readonly int _used;

    internal DecryptedMessage(byte[] buffer, int start, int length, int used)
    {
        _buffer = buffer;
        _start = start;
        _length = length;
        _used = used;
    }

    /// <summary>
    /// The plaintext message bytes (UTF-8, as WeChat encrypted them: the random prefix, length field and AppId are
    /// stripped and checked). Empty after <see cref="Dispose"/>.
    /// </summary>
    public readonly ReadOnlyMemory<byte> Message => _buffer is null ? default : new ReadOnlyMemory<byte>(_buffer, _start, _length);

    /// <summary>Wipes the plaintext and returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        if (buffer is null)
        {
            return;
        }

        _buffer = null;
        // Pooled memory outlives this message: clear what it held (user messages are private data).
        CryptographicOperations.ZeroMemory(buffer.AsSpan(0, _used));
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
