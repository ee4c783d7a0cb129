using System.Security.Cryptography;
using System.Text;
using WeChatHandlers.Security;
using static WeChatHandlers.Tests.Security.Vectors;

namespace WeChatHandlers.Tests.Security;

public sealed class WeChatSignatureTests
{
    [Theory]
    [InlineData(Token, Tv1Timestamp, Tv1Nonce, Tv1Signature)] // TV1: URL verification
    [InlineData(Token, Tv2Timestamp, Tv2Nonce, Tv2Signature)] // TV2: plaintext POST
    [InlineData(Token, Tv3Timestamp, Tv3Nonce, Tv3Signature)] // TV3: the safe-mode POST's signature parameter
    public void Signature_vectors_reproduce(string token, string timestamp, string nonce, string expected)
    {
        Assert.Equal(expected, WeChatSignature.ComputeSignature(token, timestamp, nonce));

        Span<byte> hex = stackalloc byte[WeChatSignature.HexLength];
        WeChatSignature.ComputeSignature(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(timestamp), Encoding.UTF8.GetBytes(nonce), hex);
        Assert.Equal(expected, Encoding.ASCII.GetString(hex));

        Assert.True(WeChatSignature.VerifySignature(expected, token, timestamp, nonce));
        Assert.True(WeChatSignature.VerifySignature(expected.ToUpperInvariant(), token, timestamp, nonce));
        Assert.True(WeChatSignature.VerifySignature(Encoding.ASCII.GetBytes(expected.ToUpperInvariant()), Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(timestamp), Encoding.UTF8.GetBytes(nonce)));
    }

    [Theory]
    [InlineData(Token, Tv3Timestamp, Tv3Nonce, Tv3Encrypt, Tv3MsgSignature)] // TV3 inbound
    [InlineData(Token, "1713424427", Tv4Nonce, Tv4Encrypt, Tv4MsgSignature)] // TV4 reply
    [InlineData(Tv5Token, Tv5Timestamp, Tv5Nonce, Tv5Encrypt, Tv5MsgSignature)] // TV5 reply
    [InlineData(Tv5Token, Tv5EchoTimestamp, Tv5EchoNonce, Tv5EchoEncrypt, Tv5EchoMsgSignature)] // TV5 echostr
    [InlineData(Tv5Token, Tv5Timestamp, Tv5Nonce, Tv5DecryptEncrypt, Tv5DecryptMsgSignature)] // TV5 decrypt
    public void Msg_signature_vectors_reproduce(string token, string timestamp, string nonce, string encrypt, string expected)
    {
        Assert.Equal(expected, WeChatSignature.ComputeMsgSignature(token, timestamp, nonce, encrypt));
        Assert.True(WeChatSignature.VerifyMsgSignature(expected, token, timestamp, nonce, encrypt));
        Assert.True(WeChatSignature.VerifyMsgSignature(expected.ToUpperInvariant(), token, timestamp, nonce, encrypt));
        Assert.True(WeChatSignature.VerifyMsgSignature(
            Encoding.ASCII.GetBytes(expected), Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(timestamp), Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(encrypt)));
    }

    [Fact]
    public void Sort_is_ordinal_not_culture_aware()
    {
        // protocol.md §4.5: culture-aware sorting orders "a-b", "a/b", "a+b", "ab"; ordinal orders "a+b" first.
        var parts = new[] { "a-b", "ab", "a+b", "a/b" };
        var expected = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("a+ba-ba/bab")));
        Assert.Equal(expected, WeChatSignature.ComputeMsgSignature(parts[0], parts[1], parts[2], parts[3]));
        Assert.Equal(expected, WeChatSignature.ComputeMsgSignature(parts[3], parts[2], parts[1], parts[0]));
    }

    [Fact]
    public void Every_order_of_the_parts_gives_the_same_signature()
    {
        string[] parts = ["b", "a", "ab", ""];
        var expected = Convert.ToHexStringLower(SHA1.HashData("aabb"u8));
        foreach (var p in Permutations(parts))
        {
            Assert.Equal(expected, WeChatSignature.ComputeMsgSignature(p[0], p[1], p[2], p[3]));
        }
    }

    [Fact]
    public void Long_parts_use_the_pooled_path_and_agree_with_a_plain_computation()
    {
        var encrypt = new string('Z', 5000) + "+/=";
        var expected = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(string.Concat(new[] { Token, "1", "2", encrypt }.Order(StringComparer.Ordinal)))));
        Assert.Equal(expected, WeChatSignature.ComputeMsgSignature(Token, "2", "1", encrypt));
        Assert.True(WeChatSignature.VerifyMsgSignature(expected, Token, "2", "1", encrypt));
    }

    [Theory]
    [InlineData("")]
    [InlineData("f464b24fc39322e44b38aa78f5edd27bd144169")] // 39 digits
    [InlineData("f464b24fc39322e44b38aa78f5edd27bd14416966")] // 41 digits
    [InlineData("f464b24fc39322e44b38aa78f5edd27bd1441697")] // last digit changed
    [InlineData("0464b24fc39322e44b38aa78f5edd27bd1441696")] // first digit changed
    [InlineData("f464b24fc39322e44b38aa78f5edd27bd144169\u0666")] // non-ASCII digit
    [InlineData("F464B24FC39322E44B38AA78F5EDD27BD144169G")] // not hex
    public void Wrong_signatures_are_rejected(string signature)
    {
        Assert.False(WeChatSignature.VerifySignature(signature, Token, Tv1Timestamp, Tv1Nonce));
        Assert.False(WeChatSignature.VerifySignature(Encoding.UTF8.GetBytes(signature), Encoding.UTF8.GetBytes(Token), Encoding.UTF8.GetBytes(Tv1Timestamp), Encoding.UTF8.GetBytes(Tv1Nonce)));
    }

    [Fact]
    public void Every_flipped_bit_of_a_signature_is_rejected()
    {
        for (int i = 0; i < Tv1Signature.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                var chars = Tv1Signature.ToCharArray();
                chars[i] = (char)(chars[i] ^ (1 << bit));
                var tampered = new string(chars);
                // Flipping bit 5 of a-f gives A-F: the same digit in upper case, which is accepted by design.
                bool sameDigit = string.Equals(tampered, Tv1Signature, StringComparison.OrdinalIgnoreCase);
                Assert.Equal(sameDigit, WeChatSignature.VerifySignature(tampered, Token, Tv1Timestamp, Tv1Nonce));
                Assert.Equal(sameDigit, WeChatSignature.VerifySignature(
                    Encoding.Latin1.GetBytes(tampered), Encoding.UTF8.GetBytes(Token), Encoding.UTF8.GetBytes(Tv1Timestamp), Encoding.UTF8.GetBytes(Tv1Nonce)));
            }
        }
    }

    [Fact]
    public void A_changed_part_changes_the_signature()
    {
        Assert.False(WeChatSignature.VerifySignature(Tv1Signature, "AAAAB", Tv1Timestamp, Tv1Nonce));
        Assert.False(WeChatSignature.VerifySignature(Tv1Signature, Token, "1714036505", Tv1Nonce));
        Assert.False(WeChatSignature.VerifySignature(Tv1Signature, Token, Tv1Timestamp, "1514711493"));
        Assert.False(WeChatSignature.VerifyMsgSignature(Tv3MsgSignature, Token, Tv3Timestamp, Tv3Nonce, Tv3Encrypt.AsSpan(0, Tv3Encrypt.Length - 1)));
    }

    [Fact]
    public void Destination_too_small_is_an_argument_error()
    {
        var destination = new byte[WeChatSignature.HexLength - 1];
        Assert.Throws<ArgumentException>(() => WeChatSignature.ComputeSignature("t"u8, "1"u8, "2"u8, destination));
    }

    private static IEnumerable<string[]> Permutations(string[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (int i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var p in Permutations(rest))
            {
                yield return [items[i], .. p];
            }
        }
    }
}
