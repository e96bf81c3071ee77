namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>
/// A clock that starts at the real time and moves only when a test advances it. Its timers (and so
/// <c>Task.Delay(delay, clock)</c>, <c>WaitAsync(timeout, clock)</c>, <c>PeriodicTimer</c>) fire when an advance reaches
/// their due time, on the thread that advances, never by themselves.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class ManualClock : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by)
    {
        var now = Interlocked.Add(ref _ticks, by.Ticks);
        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                due = _timers.Where(t => t.DueTicks <= now).MinBy(t => t.DueTicks);
                due?.Schedule(now);
            }
            if (due is null)
            {
                return;
            }
            due.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public long DueTicks { get; private set; } = long.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                clock._timers.Remove(this);
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    DueTicks = long.MaxValue;
                    return true;
                }
                DueTicks = clock.GetUtcNow().UtcTicks + dueTime.Ticks;
                clock._timers.Add(this);
            }
            // A timer due now fires at once, as a real one would: on the thread pool, never inside its creator's call.
            if (dueTime <= TimeSpan.Zero)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static c => c.Advance(TimeSpan.Zero), clock, preferLocal: false);
            }
            return true;
        }

        /// <summary>Called under the clock's lock when the timer is due: re-arms a periodic timer, removes a one-shot.</summary>
        public void Schedule(long now)
        {
            if (_period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero)
            {
                clock._timers.Remove(this);
                DueTicks = long.MaxValue;
            }
            else
            {
                DueTicks = Math.Max(DueTicks + _period.Ticks, now + 1);
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._lock)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
