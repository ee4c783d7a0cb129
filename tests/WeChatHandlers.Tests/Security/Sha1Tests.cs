using System.Security.Cryptography;
using System.Text;
using WeChatHandlers.Security;

namespace WeChatHandlers.Tests.Security;

public class Sha1Tests
{
    [Theory]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    public void Matches_the_FIPS_180_examples(string input, string expected)
    {
        Assert.Equal(expected, Hex(Hash(Encoding.ASCII.GetBytes(input))));
    }

    [Fact]
    public void Matches_the_platform_for_every_length_and_split_up_to_past_the_managed_limit()
    {
        var random = new Random(20261201);
        for (int length = 0; length <= Sha1.ManagedLimit + 70; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            int a = random.Next(length + 1), b = random.Next(a, length + 1), c = random.Next(b, length + 1);
            var sha1 = Sha1.Create();
            sha1.Append(data.AsSpan(0, a));
            sha1.Append(data.AsSpan(a, b - a));
            sha1.Append(data.AsSpan(b, c - b));
            sha1.Append(data.AsSpan(c));
            var digest = new byte[20];
            sha1.Finish(digest);
            Assert.True(SHA1.HashData(data).AsSpan().SequenceEqual(digest), $"length {length}, split {a}/{b}/{c}");
        }
    }

    [Fact]
    public void Signatures_of_long_and_short_inputs_agree_with_the_platform_hash_of_the_sorted_concatenation()
    {
        // The short case is hashed here, the long one (a large Encrypt) by the platform: both must give the protocol's value.
        foreach (int encryptLength in new[] { 0, 24, 900, Sha1.ManagedLimit, 5000 })
        {
            string encrypt = new('x', encryptLength);
            string[] parts = ["token", "1409304348", "xxxxxx", encrypt];
            Array.Sort(parts, StringComparer.Ordinal);
            string expected = Hex(SHA1.HashData(Encoding.UTF8.GetBytes(string.Concat(parts))));
            Assert.Equal(expected, WeChatSignature.ComputeMsgSignature("token", "1409304348", "xxxxxx", encrypt));
        }
    }

    [Fact]
    public void Hashing_a_signature_allocates_nothing()
    {
        var token = "token"u8.ToArray();
        var timestamp = "1409304348"u8.ToArray();
        var nonce = "xxxxxx"u8.ToArray();
        var destination = new byte[WeChatSignature.HexLength];
        WeChatSignature.ComputeSignature(token, timestamp, nonce, destination);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            WeChatSignature.ComputeSignature(token, timestamp, nonce, destination);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static byte[] Hash(byte[] data)
    {
        var sha1 = Sha1.Create();
        sha1.Append(data);
        var digest = new byte[20];
        sha1.Finish(digest);
        return digest;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
