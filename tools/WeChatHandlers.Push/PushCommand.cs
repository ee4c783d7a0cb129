using WeChatHandlers.Testing;

namespace WeChatHandlers.Push;

/// <summary>
/// The <c>wechat-push</c> command line: <c>send</c> signs (and encrypts) a push with the testing kit's builder and
/// prints the decoded answer; <c>verify</c> plays the console's URL-verification GET; <c>list</c> names the templates.
/// </summary>
public static class PushCommand
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        wechat-push: plays WeChat against your message-push URL.

          wechat-push send <url> (--event <name> | --type <msgtype> | --file <path>) [options]
          wechat-push verify <url> [--token T] [--echostr S]
          wechat-push fake-api [--port 5081] [--appid A] [--secret S]
          wechat-push list

        send options:
          --field k=v         set a field (repeatable): Content=help, result.suggest=risky, List[1].TemplateId=abc
          --format xml|json   the push format (default xml; a --file keeps its own)
          --token T           the Token (default: $WeChat__Token)
          --aes-key K         the EncodingAESKey: encrypts the push, safe mode (default: $WeChat__EncodingAESKey)
          --appid A           the AppId embedded in encrypted pushes (default: $WeChat__AppId)
          --plaintext         do not encrypt even when a key is known
          --from OPENID       FromUserName (the user)
          --to GH_ID          ToUserName (the mini program's original id)

        fake-api serves a fake api.weixin.qq.com on 127.0.0.1 until Ctrl+C: access tokens for the AppId and secret
        (default: $WeChat__AppId and $WeChat__AppSecret), customer-service sends, typing and media, each call printed.
        Point the service at it with WeChat__ApiBaseAddress=http://127.0.0.1:5081.

        Exit code: 0 when the service answered 200 (verify: and echoed the echostr), 1 otherwise, 2 for usage errors.
        """;

    /// <summary>Runs one command.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where results go.</param>
    /// <param name="error">Where usage and failures go.</param>
    /// <param name="http">The HTTP client; a new one when <see langword="null"/>.</param>
    /// <param name="environment">Reads environment variables (defaults for the credentials); the process's when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, HttpClient? http = null,
        Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        environment ??= Environment.GetEnvironmentVariable;
        // Help as the command or right after it ("wechat-push fake-api --help"); later, "-h" may be an option's value.
        if (args.Length == 0 || args[0] is "help" or "-h" or "--help" || (args.Length > 1 && args[1] is "-h" or "--help"))
        {
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return args.Length == 0 ? 2 : 0;
        }

        Options options;
        try
        {
            options = Options.Parse(args, environment);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            await error.WriteLineAsync("Run 'wechat-push --help' for the options.").ConfigureAwait(false);
            return 2;
        }

        if (options.Command == "list")
        {
            foreach (var name in WeChatPush.TemplateNames)
            {
                await output.WriteLineAsync(name).ConfigureAwait(false);
            }

            return 0;
        }

        if (options.Command == "fake-api")
        {
            return await FakeApiAsync(options, output, cancellationToken).ConfigureAwait(false);
        }

        using var owned = http is null ? new HttpClient() : null;
        var client = new WeChatPushClient(http ?? owned!, options.Url!, options.Account);
        try
        {
            return options.Command == "verify"
                ? await VerifyAsync(client, options, output, error, cancellationToken).ConfigureAwait(false)
                : await SendAsync(client, options, output, error, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"Could not reach {options.Url}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (InvalidDataException e)
        {
            await error.WriteLineAsync($"The reply is not what WeChat expects: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> FakeApiAsync(Options options, TextWriter output, CancellationToken ct)
    {
        var gate = new object();
        await using var api = await FakeWeChatApi.StartAsync(options.Account, options.Port, ct).ConfigureAwait(false);
        api.CallRecorded += call =>
        {
            string what = call.Api switch
            {
                WeChatApiPaths.StableToken or WeChatApiPaths.Token => "access token",
                WeChatApiPaths.Send or WeChatApiPaths.Typing => call.BodyText,
                WeChatApiPaths.UploadMedia => $"upload of {call.Body.Length} bytes",
                WeChatApiPaths.GetMedia => "media " + call.Query.GetValueOrDefault("media_id"),
                _ => call.Method + " " + call.Api,
            };
            lock (gate)
            {
                output.WriteLine($"{call.Api} -> errcode {call.ErrorCode}: {what}");
                output.Flush();
            }
        };
        lock (gate)
        {
            output.WriteLine($"Fake WeChat API listening on {api.BaseAddress} for AppId {options.Account.AppId}; Ctrl+C stops it.");
            output.WriteLine($"Point the service at it: WeChat__ApiBaseAddress={api.BaseAddress.ToString().TrimEnd('/')}");
            output.Flush();
        }

        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C: the normal way to stop.
        }

        return 0;
    }

    private static async Task<int> VerifyAsync(WeChatPushClient client, Options options, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var result = await client.VerifyUrlAsync(options.Echostr, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"GET {client.Endpoint} (URL verification, echostr {result.Echostr})").ConfigureAwait(false);
        await output.WriteLineAsync($"<- {(int)result.StatusCode} {Show(result.Body)}").ConfigureAwait(false);
        if (result.Succeeded)
        {
            await output.WriteLineAsync("OK: the echostr came back as WeChat requires.").ConfigureAwait(false);
            return 0;
        }

        await error.WriteLineAsync(result.StatusCode == System.Net.HttpStatusCode.OK
            ? "FAILED: 200, but the body is not exactly the echostr."
            : "FAILED: WeChat needs 200 and the echostr; check the Token.").ConfigureAwait(false);
        return 1;
    }

    private static async Task<int> SendAsync(WeChatPushClient client, Options options, TextWriter output, TextWriter error, CancellationToken ct)
    {
        WeChatPush push;
        try
        {
            push = await BuildAsync(options, ct).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }

        var signed = push.Sign(options.Account, new WeChatPushOptions { Format = options.Format, Encrypt = options.Encrypt });
        string mode = signed.Encrypted ? "safe mode" : "plaintext";
        await output.WriteLineAsync($"POST {client.Endpoint} ({(signed.Format == WeChatFormat.Json ? "JSON" : "XML")}, {mode})").ConfigureAwait(false);
        await output.WriteLineAsync(signed.Plaintext).ConfigureAwait(false);
        var response = await client.SendAsync(signed, ct).ConfigureAwait(false);
        string answer = response.Reply is null
            ? Show(response.Body)
            : (response.ReplyWasEncrypted ? "encrypted reply, decrypted: " : "reply: ") + response.Reply;
        await output.WriteLineAsync($"<- {(int)response.StatusCode} {answer}").ConfigureAwait(false);
        return response.StatusCode == System.Net.HttpStatusCode.OK ? 0 : 1;
    }

    private static async Task<WeChatPush> BuildAsync(Options options, CancellationToken ct)
    {
        WeChatPush push;
        if (options.File is not null)
        {
            if (options.Fields.Count > 0)
            {
                throw new ArgumentException("--field cannot change a --file push; edit the file instead.");
            }

            string document;
            try
            {
                document = await File.ReadAllTextAsync(options.File, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"Cannot read --file '{options.File}': {e.Message}", e);
            }

            push = WeChatPush.FromDocument(document);
        }
        else
        {
            push = options.Event is not null ? WeChatPush.Event(options.Event) : WeChatPush.Message(options.Type!);
        }

        if (!push.IsDocument)
        {
            if (options.From is not null)
            {
                push = push.From(options.From);
            }

            if (options.To is not null)
            {
                push = push.To(options.To);
            }

            foreach (var (path, value) in options.Fields)
            {
                push = push.With(path, value);
            }
        }

        return push;
    }

    private static string Show(string body) => body.Length == 0 ? "(empty)" : body;

    private sealed class UsageException(string message) : Exception(message);

    private sealed class Options
    {
        public string Command { get; private set; } = "";

        public Uri? Url { get; private set; }

        public string? Event { get; private set; }

        public string? Type { get; private set; }

        public string? File { get; private set; }

        public List<(string Path, string Value)> Fields { get; } = [];

        public WeChatFormat Format { get; private set; } = WeChatFormat.Xml;

        public string? From { get; private set; }

        public string? To { get; private set; }

        public string? Echostr { get; private set; }

        public int Port { get; private set; } = 5081;

        public bool Encrypt { get; private set; }

        public WeChatTestAccount Account { get; private set; } = WeChatTestAccount.Default;

        public static Options Parse(string[] args, Func<string, string?> environment)
        {
            var o = new Options { Command = args[0] };
            if (o.Command is not ("send" or "verify" or "fake-api" or "list"))
            {
                throw new UsageException($"Unknown command '{o.Command}': use send, verify, fake-api or list.");
            }

            string? token = environment("WeChat__Token"), key = environment("WeChat__EncodingAESKey"), appId = environment("WeChat__AppId");
            string? secret = environment("WeChat__AppSecret");
            bool plaintext = false;
            int i = 1;
            if (o.Command is "send" or "verify")
            {
                if (args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"'{o.Command}' needs the URL, e.g. http://127.0.0.1:5080/wechat.");
                }

                if (!Uri.TryCreate(args[1], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                {
                    throw new UsageException($"'{args[1]}' is not an http(s) URL.");
                }

                o.Url = url;
                i = 2;
            }

            for (; i < args.Length; i++)
            {
                string name = args[i];
                string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value.");
                switch (name)
                {
                    case "--event": o.Event = Value(); break;
                    case "--type": o.Type = Value(); break;
                    case "--file": o.File = Value(); break;
                    case "--from": o.From = Value(); break;
                    case "--to": o.To = Value(); break;
                    case "--token": token = Value(); break;
                    case "--aes-key": key = Value(); break;
                    case "--appid": appId = Value(); break;
                    case "--echostr": o.Echostr = Value(); break;
                    case "--plaintext": plaintext = true; break;
                    case "--secret": secret = Value(); break;
                    case "--port":
                        o.Port = int.TryParse(Value(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) && port <= 65535
                            ? port
                            : throw new UsageException("--port takes a port number (0: any free port).");
                        break;
                    case "--format":
                        o.Format = Value().ToLowerInvariant() switch
                        {
                            "xml" => WeChatFormat.Xml,
                            "json" => WeChatFormat.Json,
                            var other => throw new UsageException($"--format is xml or json, not '{other}'."),
                        };
                        break;
                    case "--field":
                        string field = Value();
                        int eq = field.IndexOf('=', StringComparison.Ordinal);
                        if (eq <= 0)
                        {
                            throw new UsageException($"--field takes name=value, not '{field}'.");
                        }

                        o.Fields.Add((field[..eq], field[(eq + 1)..]));
                        break;
                    default:
                        throw new UsageException($"Unknown option '{name}'.");
                }
            }

            if (o.Command == "send" && (o.Event is null ? 0 : 1) + (o.Type is null ? 0 : 1) + (o.File is null ? 0 : 1) != 1)
            {
                throw new UsageException("send needs exactly one of --event <name>, --type <msgtype> or --file <path>.");
            }

            if (o.Command is "send" or "verify" && string.IsNullOrEmpty(token))
            {
                throw new UsageException("The Token is needed: --token T (or the WeChat__Token environment variable).");
            }

            o.Encrypt = o.Command == "send" && !plaintext && !string.IsNullOrEmpty(key);
            if (o.Encrypt && string.IsNullOrEmpty(appId))
            {
                throw new UsageException("Safe mode needs the AppId too: --appid wx… (or WeChat__AppId).");
            }

            if (o.Encrypt && !WeChatHandlers.Security.WeChatCrypto.IsValidEncodingAesKey(key, out var problem))
            {
                throw new UsageException(problem);
            }

            o.Account = new WeChatTestAccount
            {
                Token = token ?? "",
                EncodingAESKey = o.Encrypt ? key : null,
                AppId = string.IsNullOrEmpty(appId) ? WeChatTestAccount.Default.AppId : appId,
                AppSecret = string.IsNullOrEmpty(secret) ? WeChatTestAccount.Default.AppSecret : secret,
            };
            return o;
        }
    }
}
