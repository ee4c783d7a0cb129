using System.Security.Cryptography;

namespace WeChatHandlers.Security;

/// <summary>
/// AES-256-CBC with WeChat's fixed IV on the platform's cipher, without allocating per call and safe for concurrent
/// use. It encrypts replies, and decrypts pushes where the processor has no AES instructions (where it has them,
/// <see cref="AesNiCbcDecryptor"/> decrypts).
/// </summary>
/// <remarks>
/// The one-shot <see cref="SymmetricAlgorithm.DecryptCbc(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, PaddingMode)"/>
/// creates a native cipher context on every call (about 64 bytes of managed garbage measured on .NET 10/Linux), and a
/// shared <see cref="Aes"/> instance is not documented as thread-safe. So this keeps a few reusable CBC transforms in a
/// small lock-free pool; each is used by one thread at a time. A reused CBC transform starts the next call from the
/// last ciphertext block it saw rather than from the IV; each transform remembers that block (its chaining value) and
/// the first block is corrected by XOR with <c>chain ⊕ IV</c>, which is exact because CBC applies the chaining value
/// by XOR to the first block only. A transform whose call failed is disposed, never reused.
/// </remarks>
internal sealed class AesCbcPool : IDisposable
{
    private const int BlockSize = 16;

    private readonly byte[] _key;
    private readonly byte[] _iv;
    private readonly Cipher?[] _slots;
    private readonly Lock _createLock = new();
    private volatile bool _disposed;

    public AesCbcPool(ReadOnlySpan<byte> key)
    {
        _key = key.ToArray();
        _iv = key[..BlockSize].ToArray();
        _slots = new Cipher?[Math.Clamp(Environment.ProcessorCount * 2, 4, 64)];
    }

    /// <summary>Decrypts <paramref name="length"/> bytes of <paramref name="buffer"/> in place (no padding removed).</summary>
    /// <exception cref="CryptographicException">The platform's AES failed.</exception>
    public void DecryptInPlace(byte[] buffer, int length)
    {
        var cipher = Rent();
        bool healthy = false;
        try
        {
            Span<byte> correction = stackalloc byte[BlockSize];
            Xor(cipher.DecryptChain, _iv, correction);
            // Decryption chains on ciphertext: remember the last block before it is overwritten in place.
            buffer.AsSpan(length - BlockSize, BlockSize).CopyTo(cipher.DecryptChain);
            int written = cipher.Decryptor.TransformBlock(buffer, 0, length, buffer, 0);
            if (written != length)
            {
                throw new CryptographicException("The AES transform did not process every block.");
            }

            XorInPlace(buffer.AsSpan(0, BlockSize), correction);
            healthy = true;
        }
        finally
        {
            Release(cipher, healthy);
        }
    }

    /// <summary>Encrypts <paramref name="length"/> bytes of <paramref name="buffer"/> in place (already padded).</summary>
    /// <exception cref="CryptographicException">The platform's AES failed.</exception>
    public void EncryptInPlace(byte[] buffer, int length)
    {
        var cipher = Rent();
        bool healthy = false;
        try
        {
            Span<byte> correction = stackalloc byte[BlockSize];
            Xor(cipher.EncryptChain, _iv, correction);
            XorInPlace(buffer.AsSpan(0, BlockSize), correction);
            int written = cipher.Encryptor.TransformBlock(buffer, 0, length, buffer, 0);
            if (written != length)
            {
                throw new CryptographicException("The AES transform did not process every block.");
            }

            // Encryption chains on its own output.
            buffer.AsSpan(length - BlockSize, BlockSize).CopyTo(cipher.EncryptChain);
            healthy = true;
        }
        finally
        {
            Release(cipher, healthy);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        for (int i = 0; i < _slots.Length; i++)
        {
            Interlocked.Exchange(ref _slots[i], null)?.Dispose();
        }

        CryptographicOperations.ZeroMemory(_key);
        CryptographicOperations.ZeroMemory(_iv);
    }

    private Cipher Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int i = 0; i < _slots.Length; i++)
        {
            var cipher = Interlocked.Exchange(ref _slots[i], null);
            if (cipher is not null)
            {
                return cipher;
            }
        }

        // Pool empty: more concurrent callers than pooled transforms (or first use). Creation is rare; the lock keeps
        // the shared key array from being read while Dispose wipes it.
        lock (_createLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new Cipher(_key, _iv);
        }
    }

    private void Release(Cipher cipher, bool healthy)
    {
        if (healthy && !_disposed)
        {
            for (int i = 0; i < _slots.Length; i++)
            {
                if (Interlocked.CompareExchange(ref _slots[i], cipher, null) is null)
                {
                    // Dispose may have drained the slots between the check above and this store.
                    if (_disposed)
                    {
                        Interlocked.Exchange(ref _slots[i], null)?.Dispose();
                    }

                    return;
                }
            }
        }

        cipher.Dispose();
    }

    private static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        for (int i = 0; i < BlockSize; i++)
        {
            destination[i] = (byte)(a[i] ^ b[i]);
        }
    }

    private static void XorInPlace(Span<byte> target, ReadOnlySpan<byte> mask)
    {
        for (int i = 0; i < BlockSize; i++)
        {
            target[i] ^= mask[i];
        }
    }

    /// <summary>One pair of reusable CBC transforms and the chaining value each will apply next.</summary>
    private sealed class Cipher : IDisposable
    {
        public Cipher(byte[] key, byte[] iv)
        {
            using var aes = Aes.Create();
            aes.Mode = CipherMode.CBC;
            aes.Padding = PaddingMode.None;
            Decryptor = aes.CreateDecryptor(key, iv);
            Encryptor = aes.CreateEncryptor(key, iv);
            DecryptChain = (byte[])iv.Clone();
            EncryptChain = (byte[])iv.Clone();
        }

        public ICryptoTransform Decryptor { get; }

        public ICryptoTransform Encryptor { get; }

        public byte[] DecryptChain { get; }

        public byte[] EncryptChain { get; }

        public void Dispose()
        {
            Decryptor.Dispose();
            Encryptor.Dispose();
        }
    }
}
