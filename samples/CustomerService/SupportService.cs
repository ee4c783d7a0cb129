namespace CustomerService;

/// <summary>The web service: the WeChat callback at <c>/wechat</c>, configured from the <c>WeChat</c> section.</summary>
public static class SupportService
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        var wechat = builder.Configuration.GetSection("WeChat");
        builder.Services.AddWeChatHandlers();
        builder.Services.AddWeChatCallback(wechat);
        builder.Services.AddWeChatApi(wechat);
        builder.Services.AddSingleton<IOrderDesk, OrderDesk>();
        builder.Services.AddSingleton<ISubscriptionBook, SubscriptionBook>();
        builder.Services.AddSingleton<IMediaReviews, MediaReviews>();

        var app = builder.Build();
        app.MapWeChatCallback("/wechat");
        app.MapGet("/healthz", () => "ok");
        return app;
    }
}
