using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Telemetry;

/// <summary>OpenTelemetry traces and metrics (issue 15), bound from the "Telemetry" section; validated at start.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The service.name resource attribute of every span and metric.</summary>
    [Required] public string ServiceName { get; set; } = "zaqarhub";

    /// <summary>
    /// The OpenTelemetry collector traces and metrics are exported to (an absolute http or https URI, e.g.
    /// http://collector:4317); nothing is exported when unset.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>"grpc" (the default, port 4317) or "http/protobuf" (port 4318; the signal's path is added).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Serve the metrics in Prometheus' text format at /metrics (no authentication: keep it on the operators' network).</summary>
    public bool PrometheusEnabled { get; set; } = true;

    /// <summary>
    /// Record traces. Unset: on exactly when <see cref="OtlpEndpoint"/> is set, so a node that exports no traces makes no
    /// Activity at all.
    /// </summary>
    public bool? TracingEnabled { get; set; }

    /// <summary>
    /// How many queues the depth and oldest-age gauges report: the queues posted to most on this node since the last
    /// sample, plus those reported last time while they still hold messages. 0 turns the sampling off.
    /// </summary>
    [Range(0, 1000)] public int SampledQueues { get; set; } = 10;

    /// <summary>
    /// Report the queue gauges per queue, with the queue's name and project as attributes. Off (the default), they report
    /// the deepest sampled queue's depth and the oldest sampled message's age, with no attribute: /metrics needs no
    /// authentication, and tenants' queue names and project ids are theirs (RabbitMQ's Prometheus plugin makes the same
    /// choice: per-object metrics are opt-in).
    /// </summary>
    public bool PerQueueGauges { get; set; }

    /// <summary>
    /// The most messages the depth gauge counts in one queue: a deeper queue reports this many. Counting is reading, so an
    /// exact depth of a queue of millions would cost a scan of millions every interval.
    /// </summary>
    [Range(1, int.MaxValue)] public int SampledDepthLimit { get; set; } = 100_000;

    /// <summary>How often the queue gauges and the per-database health gauge are sampled.</summary>
    [Range(1, 3600)] public int SampleIntervalSeconds { get; set; } = 30;

    public bool Tracing => TracingEnabled ?? OtlpEndpointUri is not null;

    public bool Metrics => PrometheusEnabled || OtlpEndpointUri is not null;

    public Uri? OtlpEndpointUri =>
        Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    public bool OtlpOverHttp => OtlpProtocol == "http/protobuf";
}

/// <summary>The rules of <see cref="TelemetryOptions"/> that span a field's format.</summary>
public sealed class TelemetryOptionsValidation : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions o)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(o.OtlpEndpoint) && o.OtlpEndpointUri is null)
        {
            failures.Add("Telemetry:OtlpEndpoint must be an absolute http or https URI, e.g. http://collector:4317.");
        }
        if (o.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            failures.Add("Telemetry:OtlpProtocol must be \"grpc\" or \"http/protobuf\".");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
