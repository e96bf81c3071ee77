using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Xunit.Sdk;
using Xunit.v3;

[assembly: Zaqar.Hub.Tests.Infrastructure.FailOnServiceErrors]

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>
/// Every service instance a test starts (<see cref="ZaqarFactory"/>) logs here too. An entry at error level or above,
/// logged while the service works for a test, fails that test (issue 12): a client's mistake is a 4xx and a debug line,
/// so an error in the log is a defect even when the answer the test checks looks right.
/// </summary>
/// <remarks>
/// The test is the one whose execution context the log call runs in: the in-memory server keeps the caller's context
/// (<see cref="ZaqarFactory"/> sets PreserveExecutionContext), and so do hub connections and the work a request starts.
/// Entries logged outside any test (a background loop started by the shared fixture, a real-socket server) are not
/// attributed and fail nothing.
/// </remarks>
public sealed class ServiceErrorLog : ILoggerProvider
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> ByTest = new();

    public static ServiceErrorLog Instance { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    public void Dispose()
    {
    }

    internal static void Begin(string test) => ByTest[test] = new ConcurrentQueue<string>();

    internal static IReadOnlyList<string> End(string test) =>
        ByTest.TryRemove(test, out var entries) ? [.. entries] : [];

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel < LogLevel.Error || TestContext.Current.Test?.UniqueID is not { } test || !ByTest.TryGetValue(test, out var entries))
            {
                return;
            }
            var cause = exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})";
            entries.Enqueue($"{logLevel} {category}[{eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}]: {formatter(state, exception)}{cause}");
        }
    }
}

/// <summary>Fails a test during which the service logged an error (see <see cref="ServiceErrorLog"/>).</summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class FailOnServiceErrorsAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest, IXunitTest test) => ServiceErrorLog.Begin(test.UniqueID);

    public override void After(MethodInfo methodUnderTest, IXunitTest test)
    {
        var entries = ServiceErrorLog.End(test.UniqueID);
        if (entries.Count == 0 || Expects(methodUnderTest))
        {
            return;
        }
        throw new XunitException(
            $"The service logged {entries.Count} error(s) during this test (mark it [ExpectsServiceErrors] if it provokes them):\n" +
            string.Join('\n', entries.Take(10)));
    }

    private static bool Expects(MethodInfo method) =>
        method.IsDefined(typeof(ExpectsServiceErrorsAttribute)) || method.DeclaringType?.IsDefined(typeof(ExpectsServiceErrorsAttribute)) == true;
}

/// <summary>A test (or every test of a class) that makes the service log errors on purpose: an outage, a killed database.</summary>
/// <param name="why">What the test does that the service must log as an error.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ExpectsServiceErrorsAttribute(string why) : Attribute
{
    public string Why { get; } = why;
}
