using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace WeChatHandlers.Api.Tests;

/// <summary>Builds the client's service provider the way an application would, pointed at the fake.</summary>
internal static class TestServices
{
    public const string AppId = "wx-app-1";
    public const string AppSecret = "secret-1";
    public const string OtherAppId = "wx-app-2";
    public const string OtherAppSecret = "secret-2";
    public const string OpenId = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY";

    public static ServiceProvider Create(
        FakeWeChatApi fake,
        Action<WeChatApiOptions>? configure = null,
        TimeProvider? time = null,
        Action<IWeChatApiBuilder>? build = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var builder = services.AddWeChatApi(options =>
        {
            options.AppId = AppId;
            options.AppSecret = AppSecret;
            options.ApiBaseAddress = fake.BaseAddress.ToString();

            // Backoff is tested on its own with a fake clock; elsewhere it would only slow the tests.
            options.BusyRetryDelay = TimeSpan.Zero;
            configure?.Invoke(options);
        });
        build?.Invoke(builder);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        // What the host does at start-up: ValidateOnStart.
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    public static ICustomerServiceClient Client(this IServiceProvider services) => services.GetRequiredService<ICustomerServiceClient>();

    public static FakeLogCollector Logs(this IServiceProvider services) => services.GetFakeLogCollector();
}
