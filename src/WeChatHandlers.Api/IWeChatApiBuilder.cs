using Microsoft.Extensions.DependencyInjection;

namespace WeChatHandlers.Api;

/// <summary>Returned by <c>AddWeChatApi</c>: chooses where access tokens are shared and tunes the HTTP client.</summary>
public interface IWeChatApiBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }

    /// <summary>The named <see cref="HttpClient"/> every WeChat call goes through (add handlers, a proxy…).</summary>
    IHttpClientBuilder HttpClient { get; }
}
