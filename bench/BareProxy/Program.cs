using System.Net;
using Yarp.ReverseProxy.Forwarder;

// A bare YARP proxy: every request is forwarded to --destination, nothing else.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddHttpForwarder();
var app = builder.Build();

var destination = app.Configuration["destination"] ?? throw new InvalidOperationException("--destination URL is required");
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
var invoker = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
});
var requestConfig = new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
app.Map("/{**path}", async context => await forwarder.SendAsync(context, destination, invoker, requestConfig));
app.Run();
