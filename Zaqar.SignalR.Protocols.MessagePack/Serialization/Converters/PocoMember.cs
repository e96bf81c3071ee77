using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary>One member of a POCO or record, taken from System.Text.Json's <see cref="JsonPropertyInfo"/>.</summary>
/// <remarks>Immutable after construction, except for the converter, which is resolved once on first use.</remarks>
internal sealed class PocoMember
{
    private readonly MsgPackSerializer _serializer;
    private readonly JsonPropertyInfo _info;
    private MsgPackConverter? _converter;

    public PocoMember(JsonPropertyInfo info, MsgPackSerializer serializer)
    {
        _info = info;
        _serializer = serializer;
        Name = info.Name;
        Utf8Name = Encoding.UTF8.GetBytes(info.Name);
        ClrName = (info.AttributeProvider as MemberInfo)?.Name;
        Get = info.Get;
        Set = info.Set;
        ShouldSerialize = info.ShouldSerialize;
        IsRequired = info.IsRequired;
        IsSetNullable = info.IsSetNullable;
        HasIgnoreAttribute = info.AttributeProvider?.IsDefined(typeof(JsonIgnoreAttribute), inherit: true) ?? false;
        DefaultValue = info.PropertyType.IsValueType && Nullable.GetUnderlyingType(info.PropertyType) is null
            ? Activator.CreateInstance(info.PropertyType)
            : null;
        if (info.AssociatedParameter is { } parameter)
        {
            ParameterPosition = parameter.Position;
            ParameterHasDefault = parameter.HasDefaultValue;
            ParameterDefault = parameter.HasDefaultValue ? parameter.DefaultValue : DefaultValue;
            ParameterIsNullable = parameter.IsNullable;
        }
    }

    /// <summary>The name the JSON protocol writes (naming policy and <c>[JsonPropertyName]</c> applied).</summary>
    public string Name { get; }

    public byte[] Utf8Name { get; }

    /// <summary>The C# member name, which .NET clients using MessagePack-CSharp's contractless resolver send.</summary>
    public string? ClrName { get; }

    public Func<object, object?>? Get { get; }

    public Action<object, object?>? Set { get; }

    public Func<object, object?, bool>? ShouldSerialize { get; }

    public bool IsRequired { get; }

    public bool IsSetNullable { get; }

    /// <summary>A member-level <c>[JsonIgnore]</c> overrides the options' DefaultIgnoreCondition, whatever its condition.</summary>
    public bool HasIgnoreAttribute { get; }

    /// <summary>default(T) boxed, for value types; <see langword="null"/> otherwise.</summary>
    public object? DefaultValue { get; }

    /// <summary>The constructor parameter this member binds to, or -1.</summary>
    public int ParameterPosition { get; } = -1;

    public bool ParameterHasDefault { get; }

    public object? ParameterDefault { get; }

    public bool ParameterIsNullable { get; }

    public MsgPackConverter Converter => _converter ??= ConverterFactory.CreateForMember(_info, _serializer);

    /// <summary>Whether the member is written, applying its own condition or else the options' default.</summary>
    public bool ShouldWrite(object owner, object? value, JsonIgnoreCondition defaultCondition)
    {
        if (ShouldSerialize is not null)
        {
            return ShouldSerialize(owner, value);
        }

        if (HasIgnoreAttribute)
        {
            return true;
        }

        return defaultCondition switch
        {
            JsonIgnoreCondition.WhenWritingNull => value is not null,
            JsonIgnoreCondition.WhenWritingDefault => value is not null && !value.Equals(DefaultValue),
            _ => true,
        };
    }
}
