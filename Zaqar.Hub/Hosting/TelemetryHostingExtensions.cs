using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Zaqar.Hub.Api;
using Zaqar.Hub.Telemetry;

namespace Zaqar.Hub.Hosting;

/// <summary>
/// OpenTelemetry (issue 15): traces of REST requests and hub invocations through the API layer to the PostgreSQL
/// statements, the service's metrics with ASP.NET Core's, SignalR's, Npgsql's and the runtime's, exported by OTLP when an
/// endpoint is configured and served in Prometheus' format at <see cref="MetricsPath"/> unless turned off.
/// </summary>
public static class TelemetryHostingExtensions
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddZaqarTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidation>();
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.SampledQueues > 0 && options.Metrics)
        {
            services.AddSingleton<QueueSampler>();
            services.AddSingleton<IMessageObserver>(sp => sp.GetRequiredService<QueueSampler>());
            services.AddHostedService(sp => sp.GetRequiredService<QueueSampler>());
        }
        if (!options.Tracing && !options.Metrics)
        {
            return services;
        }
        var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(options.ServiceName));
        if (options.Tracing)
        {
            otel.WithTracing(tracing =>
            {
                tracing.AddSource(ZaqarTelemetry.Name, ZaqarTelemetry.SignalRServerSource)
                    // Scrapes and probes come every few seconds and say nothing about the service's work.
                    .AddAspNetCoreInstrumentation(o => o.Filter = http =>
                        !http.Request.Path.StartsWithSegments(MetricsPath) && !http.Request.Path.StartsWithSegments(HealthHostingExtensions.Prefix))
                    .AddNpgsql();
                if (options.OtlpEndpointUri is { } endpoint)
                {
                    tracing.AddOtlpExporter(o => Otlp(o, endpoint, options, "v1/traces"));
                }
            });
        }
        if (options.Metrics)
        {
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(ZaqarTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    // SignalR's connection metrics (signalr.server.*), which that instrumentation leaves out.
                    .AddMeter("Microsoft.AspNetCore.Http.Connections")
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (options.PrometheusEnabled)
                {
                    metrics.AddPrometheusExporter();
                }
                if (options.OtlpEndpointUri is { } endpoint)
                {
                    metrics.AddOtlpExporter(o => Otlp(o, endpoint, options, "v1/metrics"));
                }
            });
        }
        return services;
    }

    /// <summary>The Prometheus scrape endpoint, when on (no authentication: it shows no message, only counts and names).</summary>
    public static WebApplication MapZaqarTelemetry(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.PrometheusEnabled)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).WithMetadata(HealthHostingExtensions.Get,
                new Rest.OpenApi.PipelineEndpointDoc(HealthHostingExtensions.Probes, "getMetrics", "Metrics in Prometheus' text format", "text/plain", 200));
        }
        return app;
    }

    private static void Otlp(OtlpExporterOptions o, Uri endpoint, TelemetryOptions options, string signalPath)
    {
        o.Protocol = options.OtlpOverHttp ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // Over HTTP the exporter posts to the URI as given: the signal's path goes on the collector's base address.
        o.Endpoint = options.OtlpOverHttp ? new Uri(endpoint, signalPath) : endpoint;
    }
}
