namespace Zaqar.Bench;

/// <summary>
/// The run's figures against issue 14's targets, printed as one table at the end: each a ratio or a bound measured in
/// this run, with whether it was met (a target whose scenarios didn't run is left out).
/// </summary>
internal sealed class TargetTable
{
    private readonly List<(string What, string Figure, string Target, bool Met)> _rows = [];

    /// <summary>msg/s of <paramref name="key"/> as a share of <paramref name="baseline"/>'s, at least <paramref name="atLeast"/>.</summary>
    public void Share(IReadOnlyDictionary<string, ScenarioResult> results, string what, string key, string baseline, double atLeast)
    {
        if (results.TryGetValue(key, out var x) && results.TryGetValue(baseline, out var y))
        {
            var share = x.MessagesPerSecond / y.MessagesPerSecond;
            _rows.Add((what, $"{share:P0} ({x.MessagesPerSecond:N0} / {y.MessagesPerSecond:N0} msg/s)", $">= {atLeast:P0}", share >= atLeast));
        }
    }

    public void AtMost(string what, double value, string figure, double max, string target) =>
        _rows.Add((what, figure, target, value <= max));

    public void Verdict(string what, bool passed, string figures) => _rows.Add((what, figures, "pass", passed));

    public void Print()
    {
        if (_rows.Count == 0)
        {
            return;
        }
        var whatWidth = _rows.Max(r => r.What.Length);
        var figureWidth = Math.Min(60, _rows.Max(r => r.Figure.Length));
        var targetWidth = _rows.Max(r => r.Target.Length);
        Console.WriteLine();
        Console.WriteLine("targets (issue 14), measured in this run:");
        Console.WriteLine($"  {"what".PadRight(whatWidth)}  {"figure".PadRight(figureWidth)}  {"target".PadRight(targetWidth)}  verdict");
        foreach (var (what, figure, target, met) in _rows)
        {
            Console.WriteLine($"  {what.PadRight(whatWidth)}  {figure.PadRight(figureWidth)}  {target.PadRight(targetWidth)}  {(met ? "met" : "NOT MET")}");
        }
        Console.WriteLine($"  {_rows.Count(r => r.Met)} of {_rows.Count} met");
    }
}
