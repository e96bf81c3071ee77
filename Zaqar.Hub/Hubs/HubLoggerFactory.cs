using Microsoft.AspNetCore.SignalR;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// The logger factory SignalR's hub connection handler and dispatcher get: the application's, minus their entries about
/// a hub call (or connect) answered with a Zaqar error (<see cref="HubErrors.IsZaqarAnswer"/>).
/// </summary>
/// <remarks>
/// Issue 10: SignalR's dispatcher logs every exception a hub method throws at error level with its stack trace, a
/// HubException too, and no option turns that off; so a client could flood the log with its own mistakes. REST logs a
/// Zaqar error as nothing more than the request's status, and so does the hub now: <see cref="ZaqarHubFilter"/> writes one
/// debug line per such answer, and this factory drops SignalR's entry about it. Every other entry passes unchanged.
/// Singleton; thread-safe as the inner factory is. It does not own the inner factory.
/// </remarks>
internal sealed class HubLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    /// <summary>SignalR's hub connection handler for <typeparamref name="THub"/>, logging through this factory.</summary>
    public static HubConnectionHandler<THub> CreateHandler<THub>(IServiceProvider services)
        where THub : Microsoft.AspNetCore.SignalR.Hub =>
        ActivatorUtilities.CreateInstance<HubConnectionHandler<THub>>(
            services, new HubLoggerFactory(services.GetRequiredService<ILoggerFactory>()));

    public ILogger CreateLogger(string categoryName) => new AnswersLeftOut(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The application's factory belongs to the host.
    }

    private sealed class AnswersLeftOut(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!HubErrors.IsZaqarAnswer(exception))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
