namespace WeChatHandlers.Api;

/// <summary>A read-only stream that yields a few already-read bytes, then the rest of the inner stream.</summary>
/// <remarks>Lets the media download peek at the first byte (to spot a JSON error) without buffering the media.</remarks>
internal sealed class PrefixedReadStream(byte[] prefix, Stream inner) : Stream
{
    private int _prefixPosition;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefixPosition < prefix.Length)
        {
            return CopyPrefix(buffer);
        }

        return inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => _prefixPosition < prefix.Length
            ? ValueTask.FromResult(CopyPrefix(buffer.Span))
            : inner.ReadAsync(buffer, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int CopyPrefix(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
        prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
        _prefixPosition += n;
        return n;
    }
}
