using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WeChatHandlers;
using WeChatHandlers.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Registers the WeChat callback endpoint's services.</summary>
    public static class WeChatCallbackServiceCollectionExtensions
    {
        /// <summary>
        /// Adds the callback endpoint, bound from a configuration section (usually <c>WeChat</c>) with keys
        /// <c>Token</c>, <c>EncodingAESKey</c>, <c>AppId</c>, <c>OriginalId</c>, <c>RequireEncryption</c>, <c>Accounts</c>,
        /// <c>MaxBodySize</c>, <c>AckMode</c>, <c>HandlerDeadline</c>, <c>HandlerTimeout</c>, <c>DedupeWindow</c>,
        /// <c>DedupeLease</c>, <c>DedupeStoreTimeout</c>, <c>DedupeCapacity</c>, <c>BackgroundQueueCapacity</c>, <c>ReturnServerErrorOnHandlerFailure</c>.
        /// Options are validated at start-up.
        /// </summary>
        public static IServiceCollection AddWeChatCallback(this IServiceCollection services, IConfiguration section)
        {
            ArgumentNullException.ThrowIfNull(section);
            return services.AddWeChatCallback(options => WeChatCallbackOptionsBinder.Bind(section, options));
        }

        /// <summary>Adds the callback endpoint configured by a delegate. Options are validated at start-up.</summary>
        public static IServiceCollection AddWeChatCallback(this IServiceCollection services, Action<WeChatCallbackOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(services);
            ArgumentNullException.ThrowIfNull(configure);
            services.AddOptions<WeChatCallbackOptions>().Configure(configure).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WeChatCallbackOptions>, WeChatCallbackOptionsValidator>());
            services.AddMetrics();
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton<WeChatCallbackMetrics>();
            services.TryAddSingleton<WeChatAccounts>();
            services.TryAddSingleton<IWeChatDedupeStore>(sp => new MemoryWeChatDedupeStore(
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<WeChatCallbackOptions>>().Value.DedupeCapacity));
            services.TryAddSingleton<WeChatBackgroundQueue>();
            services.AddHostedService(sp => sp.GetRequiredService<WeChatBackgroundQueue>());
            services.TryAddSingleton<WeChatCallbackEndpoint>();
            return services;
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Maps the WeChat callback endpoint.</summary>
    public static class WeChatCallbackEndpointRouteBuilderExtensions
    {
        /// <summary>
        /// Maps GET (URL verification) and POST (messages) on <paramref name="pattern"/>. A route parameter named
        /// <c>appId</c> (<c>/wechat/{appId}</c>) selects the account; otherwise the only account, or the one whose
        /// OriginalId equals the push's ToUserName. Returns the builder for rate limiting, filters or host constraints.
        /// Throws, naming what is missing, when <c>AddWeChatHandlers()</c> was not called or a service a handler takes is not
        /// registered (<see cref="WeChatHandlers.WeChatHandlerServices"/>).
        /// </summary>
        public static IEndpointConventionBuilder MapWeChatCallback(this IEndpointRouteBuilder endpoints, [System.Diagnostics.CodeAnalysis.StringSyntax("Route")] string pattern)
        {
            ArgumentNullException.ThrowIfNull(endpoints);
            ArgumentNullException.ThrowIfNull(pattern);

            // Loud at start, not per message: a forgotten AddWeChatHandlers() or a service a handler takes that nobody registered.
            WeChatHandlers.WeChatHandlerServices.EnsureRegistered(endpoints.ServiceProvider);
            var endpoint = endpoints.ServiceProvider.GetRequiredService<WeChatCallbackEndpoint>();
            return endpoints.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Post], endpoint.HandleAsync)
                .WithDisplayName("WeChat callback " + pattern);
        }
    }
}

namespace WeChatHandlers.AspNetCore
{
    /// <summary>Binds <see cref="WeChatCallbackOptions"/> by hand: no reflection, so it stays trim and AOT clean.</summary>
    internal static class WeChatCallbackOptionsBinder
    {
        public static void Bind(IConfiguration section, WeChatCallbackOptions options)
        {
            options.Token = section["Token"] ?? options.Token;
            options.EncodingAESKey = section["EncodingAESKey"] ?? options.EncodingAESKey;
            options.AppId = section["AppId"] ?? options.AppId;
            options.OriginalId = section["OriginalId"] ?? options.OriginalId;
            options.RequireEncryption = Bool(section, "RequireEncryption") ?? options.RequireEncryption;
            options.MaxBodySize = Int(section, "MaxBodySize") ?? options.MaxBodySize;
            options.AckMode = section["AckMode"] is { } ack ? Enum.Parse<WeChatAckMode>(ack, ignoreCase: true) : options.AckMode;
            options.HandlerDeadline = Time(section, "HandlerDeadline") ?? options.HandlerDeadline;
            options.HandlerTimeout = Time(section, "HandlerTimeout") ?? options.HandlerTimeout;
            options.DedupeWindow = Time(section, "DedupeWindow") ?? options.DedupeWindow;
            options.DedupeLease = Time(section, "DedupeLease") ?? options.DedupeLease;
            options.DedupeStoreTimeout = Time(section, "DedupeStoreTimeout") ?? options.DedupeStoreTimeout;
            options.DedupeCapacity = Int(section, "DedupeCapacity") ?? options.DedupeCapacity;
            options.BackgroundQueueCapacity = Int(section, "BackgroundQueueCapacity") ?? options.BackgroundQueueCapacity;
            options.ReturnServerErrorOnHandlerFailure = Bool(section, "ReturnServerErrorOnHandlerFailure") ?? options.ReturnServerErrorOnHandlerFailure;
            foreach (var child in section.GetSection("Accounts").GetChildren())
            {
                options.Accounts.Add(new WeChatCallbackAccountOptions
                {
                    AppId = child["AppId"],
                    Token = child["Token"] ?? string.Empty,
                    EncodingAESKey = child["EncodingAESKey"],
                    OriginalId = child["OriginalId"],
                    RequireEncryption = Bool(child, "RequireEncryption") ?? false,
                });
            }
        }

        private static bool? Bool(IConfiguration c, string key) => c[key] is { } v ? bool.Parse(v) : null;

        private static int? Int(IConfiguration c, string key) => c[key] is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;

        private static TimeSpan? Time(IConfiguration c, string key) => c[key] is { } v ? TimeSpan.Parse(v, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Fails the start, not the first push, when the configuration cannot work.</summary>
    internal sealed class WeChatCallbackOptionsValidator : IValidateOptions<WeChatCallbackOptions>
    {
        public ValidateOptionsResult Validate(string? name, WeChatCallbackOptions options)
        {
            var errors = new List<string>();
            var accounts = options.AllAccounts().ToList();
            if (accounts.Count == 0)
            {
                errors.Add("WeChat:Token is required (the Token configured in the mini program console).");
            }

            for (int i = 0; i < accounts.Count; i++)
            {
                var a = accounts[i];
                string where = i == 0 && (!string.IsNullOrEmpty(options.Token) || !string.IsNullOrEmpty(options.AppId)) ? "WeChat" : $"WeChat:Accounts:{options.Accounts.IndexOf(a)}";
                if (string.IsNullOrWhiteSpace(a.Token))
                {
                    errors.Add($"{where}:Token is required.");
                }

                if (!string.IsNullOrEmpty(a.EncodingAESKey))
                {
                    if (!WeChatHandlers.Security.WeChatCrypto.IsValidEncodingAesKey(a.EncodingAESKey, out string? keyError))
                    {
                        errors.Add($"{where}:EncodingAESKey is invalid: {keyError}");
                    }

                    if (string.IsNullOrEmpty(a.AppId))
                    {
                        errors.Add($"{where}:AppId is required with an EncodingAESKey (safe mode checks the AppId inside every message).");
                    }
                }
                else if (a.RequireEncryption)
                {
                    errors.Add($"{where}:RequireEncryption needs an EncodingAESKey.");
                }
            }

            if (accounts.Count > 1 && accounts.Any(a => string.IsNullOrEmpty(a.AppId) && string.IsNullOrEmpty(a.OriginalId)))
            {
                errors.Add("With several accounts every account needs an AppId (route /wechat/{appId}) or an OriginalId.");
            }

            if (options.MaxBodySize < 1024)
            {
                errors.Add("WeChat:MaxBodySize must be at least 1024 bytes.");
            }

            if (options.HandlerDeadline <= TimeSpan.Zero || options.HandlerDeadline >= TimeSpan.FromSeconds(5))
            {
                errors.Add("WeChat:HandlerDeadline must be positive and below WeChat's 5 seconds.");
            }

            if (options.DedupeWindow < TimeSpan.FromSeconds(60))
            {
                errors.Add("WeChat:DedupeWindow must be at least 60 seconds (WeChat retries span at least 15 seconds).");
            }

            if (options.DedupeLease <= TimeSpan.Zero || options.DedupeLease >= options.DedupeWindow)
            {
                errors.Add("WeChat:DedupeLease must be positive and shorter than WeChat:DedupeWindow.");
            }

            if (options.DedupeStoreTimeout <= TimeSpan.Zero || options.DedupeStoreTimeout >= options.HandlerDeadline)
            {
                errors.Add("WeChat:DedupeStoreTimeout must be positive and shorter than WeChat:HandlerDeadline.");
            }

            if (options.BackgroundQueueCapacity < 1 || options.DedupeCapacity < 1)
            {
                errors.Add("WeChat:BackgroundQueueCapacity and WeChat:DedupeCapacity must be positive.");
            }

            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
