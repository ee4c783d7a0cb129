using Microsoft.AspNetCore.Http.Features;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using WeChatHandlers;
using WeChatHandlers.Payloads;
using WeChatHandlers.Security;

namespace CustomerService;

/// <summary>
/// <c>--demo</c>: starts the real service and a fake WeChat API on loopback, then plays WeChat: a scripted
/// conversation over real HTTP, signed, in plaintext and safe mode, XML and JSON, with a retried duplicate and a
/// tampered push. Prints each step and exits 0 only when every step behaved as expected.
/// </summary>
public static class Demo
{
    private const string Token = "demo-token";
    private const string EncodingAesKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
    private const string AppId = "wx49f0ab532d5d035a";
    private const string OriginalId = "gh_97417a04a28d";
    private const string User = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY";

    // WeChat stamps pushes with the time the user acted; the send windows of the API client count from it.
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static async Task<int> RunAsync(string[] args)
    {
        await using var api = await FakeWeChatApi.StartAsync();
        bool hasUrls = args.Any(a => a.StartsWith("--urls", StringComparison.Ordinal));
        var app = SupportService.Build(hasUrls ? args : [.. args, "--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["WeChat:Token"] = Token,
                ["WeChat:EncodingAESKey"] = EncodingAesKey,
                ["WeChat:AppId"] = AppId,
                ["WeChat:AppSecret"] = "demo-secret",
                ["WeChat:OriginalId"] = OriginalId,
                ["WeChat:ApiBaseAddress"] = api.Address,
            });
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = false;
            });
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.Logging.AddFilter("System", LogLevel.Warning);
        });

        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var crypto = new WeChatCrypto(Token, EncodingAesKey, AppId);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var script = new Script(http, api, crypto);

        Console.WriteLine($"WeChatHandlers demo: the support bot listens on {address}/wechat; fake WeChat API on {api.Address}");
        Console.WriteLine();

        await script.VerifyUrlAsync();
        await script.PushAsync("user opens the chat (JSON, plaintext)", WeChatFormat.Json, encrypted: false,
            Event("user_enter_tempsession", Now + 0, ""","SessionFrom":"order-page" """), expectStatus: 200, expectSends: 1);
        string help = Text("help", Now + 1, 7000000000000000001);
        await script.PushAsync("user types 'help' (XML, plaintext)", WeChatFormat.Xml, encrypted: false, help, expectStatus: 200, expectSends: 1);
        await script.PushAsync("WeChat retries the same 'help' message (duplicate)", WeChatFormat.Xml, encrypted: false, help, expectStatus: 200, expectSends: 0);
        await script.PushAsync("user types 'order 1024' (JSON, safe mode)", WeChatFormat.Json, encrypted: true,
            Text("order 1024", Now + 2, 7000000000000000002), expectStatus: 200, expectSends: 2);
        await script.PushAsync("user sends a picture (XML, safe mode)", WeChatFormat.Xml, encrypted: true,
            Image(Now + 3, 7000000000000000003), expectStatus: 200, expectSends: 1);
        await script.PushAsync("user shares a mini program card (JSON, plaintext)", WeChatFormat.Json, encrypted: false,
            Card(Now + 4, 7000000000000000004), expectStatus: 200, expectSends: 1);
        await script.PushAsync("user writes '你好, can a person help me? 😀' (XML, safe mode)", WeChatFormat.Xml, encrypted: true,
            Text("你好, can a person help me? 😀", Now + 5, 7000000000000000005), expectStatus: 200, expectSends: 0, expectTransfer: true);
        await script.PushRawAsync("user accepts one template and rejects another in the subscribe popup (XML: wrapper, repeated <List>)", WeChatFormat.Xml, encrypted: false,
            XmlEvent("subscribe_msg_popup_event", Now + 5,
                "<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[tpl-shipped]]></TemplateId><SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>0</PopupScene></List>"
                + "<List><TemplateId><![CDATA[tpl-promo]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString><PopupScene>0</PopupScene></List></SubscribeMsgPopupEvent>"),
            expectStatus: 200, expectSends: 1);
        await script.PushAsync("user accepts one more template (JSON, safe mode: List is an object for one item)", WeChatFormat.Json, encrypted: true,
            Event("subscribe_msg_popup_event", Now + 6, ""","List":{"TemplateId":"tpl-refund","SubscribeStatusString":"accept","PopupScene":"0"}"""), expectStatus: 200, expectSends: 1);
        await script.PushRawAsync("media check verdict for another upload: pass (XML, repeated <detail>)", WeChatFormat.Xml, encrypted: true,
            XmlEvent("wxa_media_check", Now + 5,
                $"<appid><![CDATA[{AppId}]]></appid><trace_id><![CDATA[unrelated-trace]]></trace_id><version>2</version>"
                + "<detail><strategy><![CDATA[content_model]]></strategy><errcode>0</errcode><suggest><![CDATA[pass]]></suggest><label>100</label><prob>90</prob></detail>"
                + "<detail><strategy><![CDATA[keyword]]></strategy><errcode>0</errcode><suggest><![CDATA[pass]]></suggest><label>100</label><prob>88</prob></detail>"
                + "<errcode>0</errcode><errmsg><![CDATA[ok]]></errmsg><result><suggest><![CDATA[pass]]></suggest><label>100</label></result>"),
            expectStatus: 200, expectSends: 0);
        await script.PushAsync("media check verdict for the picture: risky (JSON, plaintext: detail array, label as a string)", WeChatFormat.Json, encrypted: false,
            Event("wxa_media_check", Now + 6,
                $$""","appid":"{{AppId}}","trace_id":"{{MediaReviews.TraceIdFor("media-42")}}","version":2,"detail":[{"strategy":"content_model","errcode":0,"suggest":"risky","label":"20002","prob":97}],"errcode":0,"errmsg":"ok","result":{"suggest":"risky","label":"20002"}"""),
            expectStatus: 200, expectSends: 1);
        await script.PushAsync("an event nobody handles (JSON, safe mode)", WeChatFormat.Json, encrypted: true,
            Event("debug_demo", Now + 6, ""","debug_str":"hello world" """), expectStatus: 200, expectSends: 0);
        await script.PushAsync("a tampered push: ciphertext altered after signing", WeChatFormat.Json, encrypted: true,
            Text("help", Now + 7, 7000000000000000007), expectStatus: 401, expectSends: 0, tamper: true);
        await script.PushAsync("a forged plaintext push: wrong signature", WeChatFormat.Xml, encrypted: false,
            Text("help", Now + 8, 7000000000000000008), expectStatus: 401, expectSends: 0, tamper: true);

        await app.StopAsync();
        await app.DisposeAsync();
        Console.WriteLine();
        Console.WriteLine(script.Failures == 0
            ? $"Demo finished: {script.Steps} steps as expected; {api.TokenRequests} access token request(s) for {api.Calls.Count} API calls."
            : $"Demo FAILED: {script.Failures} of {script.Steps} steps did not behave as expected.");
        return script.Failures == 0 ? 0 : 1;
    }

    private static string Head(long createTime) =>
        $$"""{"ToUserName":"{{OriginalId}}","FromUserName":"{{User}}","CreateTime":{{createTime}}""";

    private static string Text(string content, long createTime, long msgId) =>
        Head(createTime) + $$""","MsgType":"text","Content":{{System.Text.Json.JsonSerializer.Serialize(content, DemoJson.Default.String)}},"MsgId":{{msgId}}}""";

    private static string Image(long createTime, long msgId) =>
        Head(createTime) + $$""","MsgType":"image","PicUrl":"https://mmbiz.example/pic.jpg","MediaId":"media-42","MsgId":{{msgId}}}""";

    private static string Card(long createTime, long msgId) =>
        Head(createTime) + $$""","MsgType":"miniprogrampage","MsgId":{{msgId}},"Title":"Spring sale","AppId":"{{AppId}}","PagePath":"pages/sale/index","ThumbUrl":"","ThumbMediaId":""}""";

    private static string Event(string name, long createTime, string extra) =>
        Head(createTime) + $$""","MsgType":"event","Event":"{{name}}"{{extra.TrimEnd()}}}""";

    private static string XmlEvent(string name, long createTime, string body) =>
        $"<xml><ToUserName><![CDATA[{OriginalId}]]></ToUserName><FromUserName><![CDATA[{User}]]></FromUserName><CreateTime>{createTime}</CreateTime>"
        + $"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{name}]]></Event>{body}</xml>";

    /// <summary>Plays WeChat's side: signs, encrypts, posts, and checks what came back.</summary>
    private sealed class Script(HttpClient http, FakeWeChatApi api, WeChatCrypto crypto)
    {
        private int _nonce = 415670741;

        public int Steps { get; private set; }

        public int Failures { get; private set; }

        public async Task VerifyUrlAsync()
        {
            Steps++;
            string timestamp = "1714036504", nonce = "1514711492", echostr = "4375120948345356249";
            string signature = WeChatSignature.ComputeSignature(Token, timestamp, nonce);
            Console.WriteLine("→ GET  URL verification (the console's 'Submit' button)");
            var response = await http.GetAsync($"/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}&echostr={echostr}");
            string body = await response.Content.ReadAsStringAsync();
            Check((int)response.StatusCode == 200 && body == echostr, $"← {(int)response.StatusCode} echostr '{body}'");
        }

        public Task PushAsync(string title, WeChatFormat format, bool encrypted, string json, int expectStatus, int expectSends,
            bool expectTransfer = false, bool tamper = false) =>
            PushRawAsync(title, format, encrypted, format == WeChatFormat.Json ? json : JsonToXml(json), expectStatus, expectSends, expectTransfer, tamper);

        /// <summary>Posts a plaintext push as it is (in <paramref name="format"/>), for payloads with nested data.</summary>
        public async Task PushRawAsync(string title, WeChatFormat format, bool encrypted, string plaintext, int expectStatus, int expectSends,
            bool expectTransfer = false, bool tamper = false)
        {
            Steps++;
            Console.WriteLine();
            Console.WriteLine($"→ POST {title}");
            string timestamp = (Now + Steps).ToString(CultureInfo.InvariantCulture);
            string nonce = (_nonce++).ToString(CultureInfo.InvariantCulture);
            string signature = WeChatSignature.ComputeSignature(Token, timestamp, nonce);
            string query = $"/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}&openid={User}";
            string body = plaintext;
            if (encrypted)
            {
                string encrypt = crypto.Encrypt(Encoding.UTF8.GetBytes(plaintext));
                string msgSignature = WeChatSignature.ComputeMsgSignature(Token, timestamp, nonce, encrypt);
                if (tamper)
                {
                    encrypt = (encrypt[0] == 'A' ? 'B' : 'A') + encrypt[1..];
                }

                query += $"&encrypt_type=aes&msg_signature={msgSignature}";
                body = format == WeChatFormat.Json
                    ? $$"""{"ToUserName":"{{OriginalId}}","Encrypt":"{{encrypt}}"}"""
                    : $"<xml><ToUserName><![CDATA[{OriginalId}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>";
            }
            else if (tamper)
            {
                query = query.Replace(signature, new string('0', 40), StringComparison.Ordinal);
            }

            int before = api.Calls.Count;
            // WeChat labels JSON pushes text/xml too; the endpoint sniffs the body instead.
            using var content = new StringContent(body, Encoding.UTF8, "text/xml");
            var response = await http.PostAsync(query, content);
            string reply = await response.Content.ReadAsStringAsync();
            var sent = api.Calls.Skip(before).ToList();
            foreach (var (path, sentBody) in sent)
            {
                Console.WriteLine($"   bot → WeChat API {path}: {sentBody}");
            }

            string shown = reply;
            bool transferred = false;
            if (expectTransfer && (int)response.StatusCode == 200)
            {
                shown = OpenReply(reply, format, encrypted);
                transferred = shown.Contains("transfer_customer_service", StringComparison.Ordinal);
            }

            bool ok = (int)response.StatusCode == expectStatus && sent.Count == expectSends && transferred == expectTransfer;
            Check(ok, $"← {(int)response.StatusCode} {Describe(shown)}");
        }

        private string OpenReply(string reply, WeChatFormat format, bool encrypted)
        {
            if (!encrypted)
            {
                return reply;
            }

            var envelope = WeChatPayload.ParseEnvelope(Encoding.UTF8.GetBytes(reply));
            string encrypt = envelope.GetString(WeChatField.Encrypt);
            using var plain = crypto.Decrypt(Encoding.UTF8.GetBytes(encrypt));
            return $"encrypted {(format == WeChatFormat.Json ? "JSON" : "XML")} envelope, decrypting to {Encoding.UTF8.GetString(plain.Message.Span)}";
        }

        private static string Describe(string reply) => reply.Length == 0 ? "(empty)" : reply;

        private void Check(bool ok, string line)
        {
            Console.WriteLine(ok ? line : line + "   ✗ not what WeChat expects");
            if (!ok)
            {
                Failures++;
            }
        }

        private static string JsonToXml(string json)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            var xml = new StringBuilder("<xml>");
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                xml.Append('<').Append(property.Name).Append('>');
                if (property.Value.ValueKind == System.Text.Json.JsonValueKind.Number)
                {
                    xml.Append(property.Value.GetRawText());
                }
                else
                {
                    xml.Append("<![CDATA[").Append(property.Value.GetString()).Append("]]>");
                }

                xml.Append("</").Append(property.Name).Append('>');
            }

            return xml.Append("</xml>").ToString();
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.General)]
internal sealed partial class DemoJson : System.Text.Json.Serialization.JsonSerializerContext;
