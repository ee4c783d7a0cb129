using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WeChatHandlers.Api.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void The_WeChat_section_binds_every_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WeChat:AppId"] = "wx-app-1",
            ["WeChat:AppSecret"] = "secret-1",
            ["WeChat:Token"] = "belongs to the callback endpoint",
            ["WeChat:ApiBaseAddress"] = "http://127.0.0.1:9/",
            ["WeChat:TokenMode"] = "Classic",
            ["WeChat:RequestTimeout"] = "00:00:05",
            ["WeChat:BusyRetryCount"] = "4",
            ["WeChat:BusyRetryDelay"] = "00:00:01",
            ["WeChat:EnforceCustomerServiceWindows"] = "false",
            ["WeChat:MaxTrackedWindows"] = "10",
            ["WeChat:TokenLockLease"] = "00:01:00",
            ["WeChat:TokenLockPollInterval"] = "00:00:00.250",
            ["WeChat:Accounts:0:AppId"] = "wx-app-2",
            ["WeChat:Accounts:0:AppSecret"] = "secret-2",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWeChatApi(configuration.GetSection(WeChatApiOptions.SectionName));
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var options = provider.GetRequiredService<IOptions<WeChatApiOptions>>().Value;

        Assert.Equal("wx-app-1", options.AppId);
        Assert.Equal("secret-1", options.AppSecret);
        Assert.Equal("http://127.0.0.1:9/", options.ApiBaseAddress);
        Assert.Equal(AccessTokenMode.Classic, options.TokenMode);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RequestTimeout);
        Assert.Equal(4, options.BusyRetryCount);
        Assert.Equal(TimeSpan.FromSeconds(1), options.BusyRetryDelay);
        Assert.False(options.EnforceCustomerServiceWindows);
        Assert.Equal(10, options.MaxTrackedWindows);
        Assert.Equal(TimeSpan.FromMinutes(1), options.TokenLockLease);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.TokenLockPollInterval);
        var account = Assert.Single(options.Accounts);
        Assert.Equal(("wx-app-2", "secret-2"), (account.AppId, account.AppSecret));
        Assert.Equal("wx-app-2", provider.GetRequiredService<ICustomerServiceClientFactory>().ForAccount("wx-app-2").AppId);
    }

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var options = new WeChatApiOptions();

        Assert.Equal("https://api.weixin.qq.com", options.ApiBaseAddress);
        Assert.Equal(AccessTokenMode.Stable, options.TokenMode);
        Assert.Equal(TimeSpan.FromSeconds(10), options.RequestTimeout);
        Assert.True(options.EnforceCustomerServiceWindows);
    }

    [Fact]
    public void Start_up_validation_names_every_problem()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWeChatApi(o =>
        {
            o.AppId = "wx-app-1";
            o.AppSecret = "";
            o.ApiBaseAddress = "not a url";
            o.RequestTimeout = TimeSpan.Zero;
            o.BusyRetryCount = -1;
            o.Accounts.Add(new WeChatAccountOptions { AppId = "wx-app-1", AppSecret = "x" });
            o.Accounts.Add(new WeChatAccountOptions { AppId = "", AppSecret = "y" });
        });
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "WeChat:AppSecret is required for AppId 'wx-app-1'.",
                "WeChat:Accounts:0:AppId 'wx-app-1' is configured more than once.",
                "WeChat:Accounts:1:AppId is required.",
                "WeChat:ApiBaseAddress must be an absolute http(s) URL; got 'not a url'.",
                "WeChat:RequestTimeout must be positive.",
                "WeChat:BusyRetryCount must not be negative.",
            ],
            e.Failures);
    }

    [Fact]
    public void No_account_at_all_is_refused_at_start_up()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWeChatApi(new ConfigurationBuilder().Build().GetSection("WeChat"));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("WeChat:AppId and WeChat:AppSecret are required (or at least one entry in WeChat:Accounts).", e.Failures);
    }

    [Fact]
    public void Access_tokens_do_not_show_their_value_when_printed()
    {
        var token = new AccessToken("SECRET-TOKEN-VALUE", new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal("AccessToken(expires 2025-01-01T00:00:00.0000000+00:00)", token.ToString());
    }
}
