using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace WeChatHandlers.Api.Tests;

/// <summary>Every API call against the fake, with the exact method, path, query and body of protocol.md §7 and §8.</summary>
public sealed class CustomerServiceClientTests : IAsyncLifetime
{
    private FakeWeChatApi _fake = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeWeChatApi.StartAsync();
        _services = TestServices.Create(_fake);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task Stable_token_request_is_exactly_the_documented_body()
    {
        await _services.Client().SendTextAsync(TestServices.OpenId, "Hello World");

        var token = Assert.Single(_fake.RequestsTo("cgi-bin/stable_token"));
        Assert.Equal("POST", token.Method);
        Assert.Equal("", token.QueryString);
        Assert.Equal("{\"grant_type\":\"client_credential\",\"appid\":\"wx-app-1\",\"secret\":\"secret-1\",\"force_refresh\":false}", token.BodyText);
        Assert.StartsWith("application/json", token.Headers["Content-Type"]);
    }

    [Fact]
    public async Task Text_is_posted_as_documented_with_the_token_in_the_query()
    {
        await _services.Client().SendTextAsync(TestServices.OpenId, "Hello World");

        var send = Assert.Single(_fake.RequestsTo("cgi-bin/message/custom/send"));
        Assert.Equal("POST", send.Method);
        Assert.Equal("?access_token=TOKEN-wx-app-1-1", send.QueryString);
        Assert.Equal("{\"touser\":\"o9AgO5Kd5ggOC-bXrbNODIiE3bGY\",\"msgtype\":\"text\",\"text\":{\"content\":\"Hello World\"}}", send.BodyText);
        Assert.Equal("application/json; charset=utf-8", send.Headers["Content-Type"]);
    }

    [Fact]
    public async Task Text_is_sent_as_raw_utf8_including_cjk_emoji_and_html()
    {
        const string content = "你好，欢迎！😀 <a href=\"https://example.com\" data-miniprogram-appid=\"wx-app-1\" data-miniprogram-path=\"pages/index/index\">点击</a>\n\"quoted\" \\ back";
        await _services.Client().SendTextAsync(TestServices.OpenId, content);

        var send = Assert.Single(_fake.RequestsTo("cgi-bin/message/custom/send"));
        var expected = "{\"touser\":\"o9AgO5Kd5ggOC-bXrbNODIiE3bGY\",\"msgtype\":\"text\",\"text\":{\"content\":\"你好，欢迎！😀 <a href=\\\"https://example.com\\\" data-miniprogram-appid=\\\"wx-app-1\\\" data-miniprogram-path=\\\"pages/index/index\\\">点击</a>\\n\\\"quoted\\\" \\\\ back\"}}";
        Assert.Equal(Encoding.UTF8.GetBytes(expected), send.Body);
        Assert.DoesNotContain("\\u", send.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_is_posted_as_documented()
    {
        await _services.Client().SendImageAsync(TestServices.OpenId, "MEDIA_ID");

        var send = Assert.Single(_fake.RequestsTo("cgi-bin/message/custom/send"));
        Assert.Equal("?access_token=TOKEN-wx-app-1-1", send.QueryString);
        Assert.Equal("{\"touser\":\"o9AgO5Kd5ggOC-bXrbNODIiE3bGY\",\"msgtype\":\"image\",\"image\":{\"media_id\":\"MEDIA_ID\"}}", send.BodyText);
    }

    [Fact]
    public async Task Link_is_posted_as_documented()
    {
        await _services.Client().SendLinkAsync(TestServices.OpenId, new LinkCard("标题", "Some description", "https://example.com/a?b=c&d=e", "https://example.com/thumb.png"));

        var send = Assert.Single(_fake.RequestsTo("cgi-bin/message/custom/send"));
        Assert.Equal("?access_token=TOKEN-wx-app-1-1", send.QueryString);
        Assert.Equal(
            "{\"touser\":\"o9AgO5Kd5ggOC-bXrbNODIiE3bGY\",\"msgtype\":\"link\",\"link\":{\"title\":\"标题\",\"description\":\"Some description\",\"url\":\"https://example.com/a?b=c&d=e\",\"thumb_url\":\"https://example.com/thumb.png\"}}",
            send.BodyText);
    }

    [Fact]
    public async Task Mini_program_page_is_posted_as_documented()
    {
        await _services.Client().SendMiniProgramPageAsync(TestServices.OpenId, new MiniProgramCard("Card", "pages/index/index?foo=bar", "THUMB_MEDIA_ID"));

        var send = Assert.Single(_fake.RequestsTo("cgi-bin/message/custom/send"));
        Assert.Equal("?access_token=TOKEN-wx-app-1-1", send.QueryString);
        Assert.Equal(
            "{\"touser\":\"o9AgO5Kd5ggOC-bXrbNODIiE3bGY\",\"msgtype\":\"miniprogrampage\",\"miniprogrampage\":{\"title\":\"Card\",\"pagepath\":\"pages/index/index?foo=bar\",\"thumb_media_id\":\"THUMB_MEDIA_ID\"}}",
            send.BodyText);
    }

    [Theory]
    [InlineData(TypingCommand.Typing, "Typing")]
    [InlineData(TypingCommand.CancelTyping, "CancelTyping")]
    public async Task Typing_is_posted_as_documented(TypingCommand command, string wire)
    {
        await _services.Client().SetTypingAsync(TestServices.OpenId, command);

        var typing = Assert.Single(_fake.RequestsTo("cgi-bin/message/custom/typing"));
        Assert.Equal("POST", typing.Method);
        Assert.Equal("?access_token=TOKEN-wx-app-1-1", typing.QueryString);
        Assert.Equal($"{{\"touser\":\"o9AgO5Kd5ggOC-bXrbNODIiE3bGY\",\"command\":\"{wire}\"}}", typing.BodyText);
    }

    [Fact]
    public async Task Upload_is_multipart_with_one_part_named_media_in_the_exact_shape_wechat_parses()
    {
        var image = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x0D, 0x0A, 0x2D, 0x2D };
        using var stream = new MemoryStream(image);

        var media = await _services.Client().UploadTempMediaAsync(stream, "photo.jpg", "image/jpeg");

        Assert.Equal(new TemporaryMedia("MEDIA-UPLOADED", "image", DateTimeOffset.FromUnixTimeSeconds(1714112445)), media);
        var upload = Assert.Single(_fake.RequestsTo("cgi-bin/media/upload"));
        Assert.Equal("POST", upload.Method);
        Assert.Equal("?access_token=TOKEN-wx-app-1-1&type=image", upload.QueryString);

        // The boundary is not quoted in the header: WeChat's parser does not strip quotes.
        var contentType = upload.Headers["Content-Type"];
        Assert.Matches("^multipart/form-data; boundary=[-A-Za-z0-9]+$", contentType);
        var boundary = contentType["multipart/form-data; boundary=".Length..];

        var expected = new List<byte>();
        expected.AddRange(Encoding.ASCII.GetBytes(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"));
        expected.AddRange(image);
        expected.AddRange(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n"));
        Assert.Equal(expected.ToArray(), upload.Body);
        Assert.Equal(upload.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), upload.Headers["Content-Length"]);
        Assert.True(stream.CanRead, "the caller's stream is not disposed");
    }

    [Fact]
    public async Task Upload_file_names_outside_printable_ascii_are_made_safe()
    {
        using var stream = new MemoryStream([1, 2, 3]);
        await _services.Client().UploadTempMediaAsync(stream, "照片\"x\".png", "image/png");

        var upload = Assert.Single(_fake.RequestsTo("cgi-bin/media/upload"));
        Assert.Contains("Content-Disposition: form-data; name=\"media\"; filename=\"___x_.png\"\r\nContent-Type: image/png\r\n", upload.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Media_download_streams_the_bytes_with_their_type_and_name()
    {
        var image = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        image[0] = 0x89;
        _fake.Enqueue("cgi-bin/media/get", new FakeResponse(200, image, "image/jpeg",
            new Dictionary<string, string> { ["Content-Disposition"] = "attachment; filename=\"MEDIA_ID.jpg\"" }));

        await using var media = await _services.Client().GetTempMediaAsync("MEDIA_ID");
        using var copy = new MemoryStream();
        await media.Content.CopyToAsync(copy);

        Assert.Equal(image, copy.ToArray());
        Assert.Equal("image/jpeg", media.ContentType);
        Assert.Equal("MEDIA_ID.jpg", media.FileName);
        var get = Assert.Single(_fake.RequestsTo("cgi-bin/media/get"));
        Assert.Equal("GET", get.Method);
        Assert.Equal("?access_token=TOKEN-wx-app-1-1&media_id=MEDIA_ID", get.QueryString);
    }

    [Fact]
    public async Task Media_download_raises_a_json_error_body()
    {
        _fake.Enqueue("cgi-bin/media/get", FakeResponse.Error(40007, "invalid media_id"));

        var e = await Assert.ThrowsAsync<WeChatApiException>(() => _services.Client().GetTempMediaAsync("BAD_ID"));

        Assert.Equal(WeChatErrorCodes.InvalidMediaId, e.ErrorCode);
        Assert.Equal("invalid media_id", e.ErrorMessage);
        Assert.Equal("cgi-bin/media/get", e.Api);
        Assert.Equal(TestServices.AppId, e.AppId);
    }

    [Fact]
    public async Task Media_download_of_an_empty_body_is_an_invalid_response()
    {
        _fake.Enqueue("cgi-bin/media/get", new FakeResponse(200, [], "image/jpeg"));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => _services.Client().GetTempMediaAsync("MEDIA_ID"));

        Assert.Equal(HttpRequestError.InvalidResponse, e.HttpRequestError);
        Assert.Contains("empty body", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Media_download_raises_a_json_error_even_when_labelled_as_an_image()
    {
        _fake.Enqueue("cgi-bin/media/get", new FakeResponse(200, Encoding.UTF8.GetBytes("{\"errcode\":40007,\"errmsg\":\"invalid media_id\"}"), "image/jpeg"));

        var e = await Assert.ThrowsAsync<WeChatApiException>(() => _services.Client().GetTempMediaAsync("BAD_ID"));

        Assert.Equal(WeChatErrorCodes.InvalidMediaId, e.ErrorCode);
    }

    [Fact]
    public async Task Media_download_recovers_from_a_rejected_token()
    {
        await _services.Client().SendTextAsync(TestServices.OpenId, "warm the token");
        _fake.ExpireAllTokens();
        _fake.Enqueue("cgi-bin/media/get", new FakeResponse(200, [0xFF, 0xD8, 0xFF], "image/jpeg"));

        await using var media = await _services.Client().GetTempMediaAsync("MEDIA_ID");
        using var copy = new MemoryStream();
        await media.Content.CopyToAsync(copy);

        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, copy.ToArray());
        Assert.Equal(
            ["?access_token=TOKEN-wx-app-1-1&media_id=MEDIA_ID", "?access_token=TOKEN-wx-app-1-2&media_id=MEDIA_ID"],
            _fake.RequestsTo("cgi-bin/media/get").Select(r => r.QueryString));
    }

    [Fact]
    public async Task Second_account_is_selected_by_app_id_with_its_own_secret_and_token()
    {
        await using var services = TestServices.Create(_fake, o => o.Accounts.Add(new WeChatAccountOptions { AppId = TestServices.OtherAppId, AppSecret = TestServices.OtherAppSecret }));
        var factory = services.GetRequiredService<ICustomerServiceClientFactory>();

        var other = factory.ForAccount(TestServices.OtherAppId);
        await other.SendTextAsync(TestServices.OpenId, "from app 2");
        await services.Client().SendTextAsync(TestServices.OpenId, "from app 1");

        Assert.Equal(TestServices.OtherAppId, other.AppId);
        Assert.Equal(TestServices.AppId, services.Client().AppId);
        Assert.Same(other, factory.ForAccount(TestServices.OtherAppId));
        Assert.Equal(
            ["{\"grant_type\":\"client_credential\",\"appid\":\"wx-app-2\",\"secret\":\"secret-2\",\"force_refresh\":false}",
             "{\"grant_type\":\"client_credential\",\"appid\":\"wx-app-1\",\"secret\":\"secret-1\",\"force_refresh\":false}"],
            _fake.RequestsTo("cgi-bin/stable_token").Select(r => r.BodyText));
        Assert.Equal(
            ["?access_token=TOKEN-wx-app-2-1", "?access_token=TOKEN-wx-app-1-2"],
            _fake.RequestsTo("cgi-bin/message/custom/send").Select(r => r.QueryString));
        var e = Assert.Throws<ArgumentException>(() => factory.ForAccount("wx-unknown"));
        Assert.Contains("wx-unknown", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accounts_list_alone_makes_its_first_entry_the_default()
    {
        await using var services = TestServices.Create(_fake, o =>
        {
            o.AppId = "";
            o.AppSecret = "";
            o.Accounts.Add(new WeChatAccountOptions { AppId = TestServices.OtherAppId, AppSecret = TestServices.OtherAppSecret });
        });

        await services.Client().SendTextAsync(TestServices.OpenId, "hi");

        Assert.Equal(TestServices.OtherAppId, services.Client().AppId);
        Assert.Equal("?access_token=TOKEN-wx-app-2-1", Assert.Single(_fake.RequestsTo("cgi-bin/message/custom/send")).QueryString);
    }
}
