using Microsoft.Extensions.FileProviders;

namespace Zaqar.Hub.Hosting;

/// <summary>
/// Serves the web console (issue #5) at /console from the files the build embedded (Console/dist), with a
/// content security policy that allows only this origin (scripts, styles, and the hub's connections).
/// </summary>
internal static class ConsoleEndpoints
{
    public const string Path = "/console";

    public static IApplicationBuilder UseZaqarConsole(this IApplicationBuilder app)
    {
        var files = new EmbeddedFileProvider(typeof(ConsoleEndpoints).Assembly, "Zaqar.Hub.Console");
        // Not async: a request passing through keeps no frame of this middleware (a hub's WebSocket request lasts for its connection: issue 14).
        app.Use((http, next) =>
        {
            if (http.Request.Path.Equals(Path, StringComparison.Ordinal))
            {
                http.Response.Redirect(Path + "/" + http.Request.QueryString, permanent: false);
                return Task.CompletedTask;
            }
            return next(http);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path, DefaultFileNames = ["index.html"] });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Path,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
