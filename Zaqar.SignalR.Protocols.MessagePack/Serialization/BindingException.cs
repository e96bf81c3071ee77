namespace Zaqar.SignalR.Protocols.MessagePack.Serialization;

/// <summary>
/// A binding failure with the path to the value that failed (<c>$.order.lines[2].qty</c>), built up as the exception
/// passes back through each member and element.
/// </summary>
internal sealed class BindingException : Exception
{
    private readonly List<string> _segments = [];
    private readonly string _reason;

    public BindingException(string reason, Exception? inner = null)
        : base(reason, inner)
    {
        _reason = reason;
    }

    public string Path => "$" + string.Concat(Enumerable.Reverse(_segments));

    public override string Message => _segments.Count == 0 ? _reason : $"{_reason} (at {Path})";

    /// <summary>Adds the member or element that contains the failing value, wrapping any other exception first.</summary>
    public static BindingException At(Exception exception, string segment)
    {
        var binding = exception as BindingException ?? new BindingException(exception.Message, exception);
        binding._segments.Add(segment);
        return binding;
    }

    public static string Member(string name) => "." + name;

    public static string Element(int index) => $"[{index}]";
}
