using System.Buffers;
using System.IO.Pipelines;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;

namespace WeChatHandlers.AspNetCore;

/// <summary>A request body in a pooled array. Held by value in its <see cref="InboundMessage"/>, which releases it once.</summary>
internal struct PooledBuffer
{
    private byte[]? _array;
    private readonly int _length;

    private PooledBuffer(byte[] array, int length)
    {
        _array = array;
        _length = length;
    }

    public readonly ReadOnlyMemory<byte> Memory => _array is null ? ReadOnlyMemory<byte>.Empty : _array.AsMemory(0, _length);

    /// <summary>
    /// Reads the whole body from the request's pipe, or returns null when it holds more than <paramref name="limit"/>
    /// bytes. A body that has arrived whole (the usual case) takes one read of the pipe and one copy.
    /// </summary>
    public static async ValueTask<PooledBuffer?> ReadAsync(PipeReader body, int limit, CancellationToken cancellationToken)
    {
        byte[]? array = null;
        int length = 0;
        try
        {
            while (true)
            {
                var read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = read.Buffer;
                if (length + buffer.Length > limit)
                {
                    body.AdvanceTo(buffer.End);
                    Return(array);
                    return null;
                }

                int needed = length + (int)buffer.Length;
                if (array is null || needed > array.Length)
                {
                    // The first read sizes the array for what has arrived (at least 4 KB, like a body read in pieces),
                    // a later one doubles it, never past the limit.
                    var larger = ArrayPool<byte>.Shared.Rent(array is null ? Math.Max(needed, 4096) : Math.Max(needed, Math.Min(2 * array.Length, limit)));
                    array?.AsSpan(0, length).CopyTo(larger);
                    Return(array);
                    array = larger;
                }

                buffer.CopyTo(array.AsSpan(length));
                length = needed;
                body.AdvanceTo(buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }

                if (read.IsCanceled)
                {
                    throw new OperationCanceledException("Reading the request body was canceled.");
                }
            }
        }
        catch
        {
            Return(array);
            throw;
        }

        return new PooledBuffer(array, length);
    }

    private static void Return(byte[]? array)
    {
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>Returns the array to the pool. Called once, by the message's own once-only dispose.</summary>
    public void Release()
    {
        var array = _array;
        _array = null;
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}

/// <summary>
/// A push in flight: its body, its decrypted plaintext and what was learned opening it. The one owner of the message's
/// pooled buffers: <see cref="Dispose"/> is the only place they are released, once, by whoever holds the message last
/// (the request when no handler runs, else the handler run, which may outlive the request).
/// </summary>
internal sealed class InboundMessage(PooledBuffer body) : IDisposable
{
    private PooledBuffer _body = body;
    private DecryptedMessage _plaintext;
    private WeChatPayload _payload;
    private int _disposed;

    public ReadOnlyMemory<byte> Body => _body.Memory;

    /// <summary>The decrypted message, when the push was encrypted.</summary>
    public DecryptedMessage Plaintext
    {
        get => _plaintext;
        set => _plaintext = value;
    }

    public WeChatAccount? Account { get; set; }

    public bool Encrypted { get; set; }

    /// <summary>The plaintext payload, by reference: it is a large struct, read in place rather than copied.</summary>
    public ref WeChatPayload Payload => ref _payload;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _plaintext.Dispose();
        _plaintext = default;
        _payload = default;
        _body.Release();
    }
}
