using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;
using static WeChatHandlers.Tests.Security.Vectors;

namespace WeChatHandlers.Tests.Security;

/// <summary>
/// Interop in both directions with an independent implementation: the npm package <c>wechat-crypto</c>, run by node
/// from tests/WeChatHandlers.Tests/Fixtures/wechat-crypto (install it there with <c>npm ci</c>).
/// </summary>
public sealed class WeChatCryptoInteropTests : IDisposable
{
    private const string Timestamp = "1714112445";
    private const string Nonce = "PuRqf6qOR9P0"; // alphanumeric nonces occur in the wild; sorting must still agree

    private readonly WeChatCrypto _crypto = new(Token, EncodingAesKey, AppId);

    public void Dispose() => _crypto.Dispose();

    /// <summary>Text messages of every pad length, multi-byte UTF-8, real push documents and one of 64 KiB.</summary>
    private static List<string> Messages()
    {
        var messages = new List<string>();
        for (int i = 0; i <= 70; i++)
        {
            messages.Add(new string((char)('a' + (i % 26)), i));
        }

        messages.Add(Tv3Message);
        messages.Add(Tv5Message);
        messages.Add("{\"Content\":\"你好，世界 👋 — ünïcödé\"}");
        messages.Add(string.Concat(Enumerable.Repeat("中文🙂", 700)));
        messages.Add(new string('x', 65536));
        return messages;
    }

    [Fact]
    public void Node_encrypts_and_we_verify_and_decrypt()
    {
        var messages = Messages();
        var response = RunNode(new JsonObject { ["encrypt"] = new JsonArray(messages.Select(m => (JsonNode)m!).ToArray()) });
        var encrypted = response["encrypted"]!.AsArray();
        Assert.Equal(messages.Count, encrypted.Count);

        for (int i = 0; i < messages.Count; i++)
        {
            var encrypt = (string)encrypted[i]!["encrypt"]!;
            var signature = (string)encrypted[i]!["msgSignature"]!;
            Assert.Equal(WeChatSignature.ComputeMsgSignature(Token, Timestamp, Nonce, encrypt), signature);

            // Node's Base64 contains '/', so the JSON envelope also exercises the "\/" escape.
            var json = "{\"ToUserName\":\"gh_97417a04a28d\",\"Encrypt\":\"" + encrypt.Replace("/", "\\/", StringComparison.Ordinal) + "\"}";
            var xml = "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName><Encrypt><![CDATA[" + encrypt + "]]></Encrypt></xml>";
            foreach (var envelope in new[] { json, xml })
            {
                using var message = _crypto.VerifyAndDecrypt(Timestamp, Nonce, signature, Encoding.UTF8.GetBytes(envelope));
                Assert.Equal(messages[i], CryptoAssert.Utf8(message.Message));
            }
        }
    }

    [Fact]
    public void We_encrypt_and_node_decrypts_and_signs_alike()
    {
        var messages = Messages();
        var encrypts = new List<string>();
        var signatures = new List<string>();
        foreach (var (text, index) in messages.Select((m, i) => (m, i)))
        {
            var output = new ArrayBufferWriter<byte>();
            _crypto.WriteReplyEnvelope(output, index % 2 == 0 ? WeChatFormat.Json : WeChatFormat.Xml, Encoding.UTF8.GetBytes(text), long.Parse(Timestamp, System.Globalization.CultureInfo.InvariantCulture), Nonce);
            var envelope = WeChatPayload.ParseEnvelope(output.WrittenMemory.ToArray());
            encrypts.Add(envelope.GetField("Encrypt")!);
            signatures.Add(envelope.GetField("MsgSignature")!);
        }

        var response = RunNode(new JsonObject { ["decrypt"] = new JsonArray(encrypts.Select(e => (JsonNode)e!).ToArray()) });
        var decrypted = response["decrypted"]!.AsArray();
        Assert.Equal(messages.Count, decrypted.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            Assert.Equal(messages[i], (string)decrypted[i]!["message"]!);
            Assert.Equal(AppId, (string)decrypted[i]!["id"]!);
            Assert.Equal(signatures[i], (string)decrypted[i]!["msgSignature"]!);
        }
    }

    private static JsonObject RunNode(JsonObject request)
    {
        var folder = FixtureFolder();
        if (!File.Exists(Path.Combine(folder, "node_modules", "wechat-crypto", "index.js")))
        {
            Assert.Fail($"The interop fixture's packages are not installed: run `npm ci` in {folder}.");
        }

        var node = FindOnPath("node");
        if (node is null)
        {
            Assert.Fail($"node is not on PATH. Install Node.js, then run `npm ci` in {folder}.");
        }

        request["token"] = Token;
        request["encodingAESKey"] = EncodingAesKey;
        request["appId"] = AppId;
        request["timestamp"] = Timestamp;
        request["nonce"] = Nonce;

        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("fixture.js");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(request.ToJsonString());
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("node did not finish within 60 s.");
        }

        Assert.True(process.ExitCode == 0, $"node exited with {process.ExitCode}: {stderr.Result}");
        return JsonNode.Parse(stdout.Result)!.AsObject();
    }

    private static string FixtureFolder()
    {
        // node runs in the source folder, where `npm ci` installs, not in the build output.
        const string relative = "tests/WeChatHandlers.Tests/Fixtures/wechat-crypto";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"{relative} was not found above {AppContext.BaseDirectory}.");
    }

    private static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var names = OperatingSystem.IsWindows() ? new[] { program + ".exe", program + ".cmd" } : new[] { program };
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => names.Select(name => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }
}
