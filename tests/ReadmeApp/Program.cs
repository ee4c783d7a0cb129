var builder = WebApplication.CreateBuilder(args);
var wechat = builder.Configuration.GetSection("WeChat");
builder.Services.AddWeChatHandlers();            // generated for this assembly
builder.Services.AddWeChatCallback(wechat);      // Token, EncodingAESKey, AppId
builder.Services.AddWeChatApi(wechat);           // AppId, AppSecret: customer-service replies

var app = builder.Build();
app.MapWeChatCallback("/wechat");
app.Run();
