using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>One entry a service wrote to its log, as an operator's log sink would receive it.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId Event, string Message, Exception? Exception)
{
    /// <summary>The entry as a console sink prints it: the message, then the exception with its stack trace.</summary>
    public string Text => Exception is null ? Message : Message + Environment.NewLine + Exception;

    public override string ToString() => $"{Level} {Category}[{Event.Id}:{Event.Name}] {Text}";
}

/// <summary>
/// An <see cref="ILoggerProvider"/> that keeps every entry it is given (issue 10: what the service logs is part of its
/// behaviour under client mistakes and outages). Add it to a test host's services; the host's level filters apply.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Every entry so far, in the order written.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>A mark to read the entries written after it (<see cref="Since"/>).</summary>
    public int Mark() => _entries.Count;

    /// <summary>The entries written since <paramref name="mark"/>.</summary>
    public IReadOnlyList<LogEntry> Since(int mark) => [.. _entries.Skip(mark)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
