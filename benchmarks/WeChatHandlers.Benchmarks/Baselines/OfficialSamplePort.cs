using System.Collections;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace WeChatHandlers.Benchmarks.Baselines;

/// <summary>
/// The common C# port of WeChat's official WXBizMsgCrypt sample, as SDKs vendor it: the body as a string into an
/// XmlDocument, Encrypt read as a string, the signature over an ordinally sorted, concatenated string hashed with SHA-1
/// and hex-printed through BitConverter, the key Base64-decoded per call, AES-CBC with PaddingMode.None through
/// CreateDecryptor and a CryptoStream, the 32-byte PKCS#7 removed by hand, and the message returned as a string.
/// </summary>
public sealed class OfficialSamplePort(string token, string encodingAesKey, string appId)
{
    public const int ValidateSignatureError = -40001;
    public const int ValidateAppIdError = -40005;

    public int DecryptMsg(string msgSignature, string timeStamp, string nonce, string postData, ref string message)
    {
        var doc = new XmlDocument { XmlResolver = null };
        doc.LoadXml(postData);
        var root = doc.FirstChild!;
        string encrypt = root["Encrypt"]!.InnerText;

        if (GenerateSignature(token, timeStamp, nonce, encrypt) != msgSignature)
        {
            return ValidateSignatureError;
        }

        string decryptedAppId = string.Empty;
        message = AesDecrypt(encrypt, encodingAesKey, ref decryptedAppId);
        return decryptedAppId == appId ? 0 : ValidateAppIdError;
    }

    private static string GenerateSignature(string token, string timeStamp, string nonce, string encrypt)
    {
        var list = new ArrayList { token, timeStamp, nonce, encrypt };
        list.Sort(StringComparer.Ordinal);
        string raw = string.Empty;
        for (int i = 0; i < list.Count; i++)
        {
            raw += list[i];
        }

        using var sha = SHA1.Create();
        byte[] hashed = sha.ComputeHash(Encoding.ASCII.GetBytes(raw));
#pragma warning disable CA1308 // The protocol's signature is lowercase hex; the sample lowercases exactly like this.
        return BitConverter.ToString(hashed).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
#pragma warning restore CA1308
    }

    private static string AesDecrypt(string input, string encodingAesKey, ref string appId)
    {
        byte[] key = Convert.FromBase64String(encodingAesKey + "=");
        byte[] iv = new byte[16];
        Array.Copy(key, iv, 16);
        byte[] plain = AesDecrypt(input, iv, key);

        int length = IPAddress.NetworkToHostOrder(BitConverter.ToInt32(plain, 16));
        byte[] message = new byte[length];
        byte[] appIdBytes = new byte[plain.Length - 20 - length];
        Array.Copy(plain, 20, message, 0, length);
        Array.Copy(plain, 20 + length, appIdBytes, 0, appIdBytes.Length);
        appId = Encoding.UTF8.GetString(appIdBytes);
        return Encoding.UTF8.GetString(message);
    }

    private static byte[] AesDecrypt(string input, byte[] iv, byte[] key)
    {
        using var aes = Aes.Create();
        aes.KeySize = 256;
        aes.BlockSize = 128;
        aes.Mode = CipherMode.CBC;
        aes.Padding = PaddingMode.None;
        aes.Key = key;
        aes.IV = iv;
        using var decryptor = aes.CreateDecryptor(aes.Key, aes.IV);
        using var ms = new MemoryStream();
        using (var cs = new CryptoStream(ms, decryptor, CryptoStreamMode.Write))
        {
            byte[] cipher = Convert.FromBase64String(input);
            cs.Write(cipher, 0, cipher.Length);
        }

        return Unpad(ms.ToArray());
    }

    private static byte[] Unpad(byte[] decrypted)
    {
        int pad = decrypted[^1];
        if (pad < 1 || pad > 32)
        {
            pad = 0;
        }

        byte[] result = new byte[decrypted.Length - pad];
        Array.Copy(decrypted, 0, result, 0, decrypted.Length - pad);
        return result;
    }
}
