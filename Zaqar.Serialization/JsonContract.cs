using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace Zaqar.Serialization;

/// <summary>
/// The JSON contract of a class that names its members with <see cref="JsonPropertyNameAttribute"/> (Zaqar's arguments
/// and views, whose keys are REST's): the same keys and ignore rules in MessagePack as in JSON, and liberal reading
/// (<c>claim_id</c>, <c>claimId</c> and <c>ClaimId</c> all name one member).
/// </summary>
/// <remarks>
/// Built once per type by reflection. Unnamed public properties take SignalR's JSON default (camelCase); [JsonIgnore]
/// members are left out; <see cref="JsonIgnoreCondition.WhenWritingNull"/> and <see cref="JsonIgnoreCondition.WhenWritingDefault"/>
/// apply when writing. Reading binds through the constructor with the most parameters (a record's primary
/// constructor), then sets the remaining settable members. Thread-safe once built.
/// </remarks>
internal sealed class JsonContract<T>
    where T : class
{
    private readonly ConstructorInvoker _constructor;
    private readonly int _constructorArity;
    private readonly object?[] _defaults;

    private JsonContract(ConstructorInfo constructor, ContractMember<T>[] members)
    {
        _constructor = ConstructorInvoker.Create(constructor);
        var parameters = constructor.GetParameters();
        _constructorArity = parameters.Length;
        _defaults = parameters.Select(p => p.HasDefaultValue ? p.DefaultValue : null).ToArray();
        Members = members;
    }

    /// <summary>The contract of <typeparamref name="T"/>.</summary>
    public static JsonContract<T> Instance { get; } = Build();

    public ContractMember<T>[] Members { get; }

    /// <summary>True for a class whose public properties include one with a JSON name: its contract is its REST shape.</summary>
    public static bool Applies(Type type) =>
        type.IsClass && !type.IsAbstract && type != typeof(string) && !type.IsAssignableTo(typeof(System.Collections.IEnumerable)) &&
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => p.IsDefined(typeof(JsonPropertyNameAttribute)));

    /// <summary>The member a key names, ignoring case and underscores; null for a key that names none.</summary>
    public ContractMember<T>? Find(ReadOnlySpan<byte> utf8Key)
    {
        Span<byte> normalized = stackalloc byte[ContractMember<T>.MaxNormalizedLength];
        var length = 0;
        foreach (var b in utf8Key)
        {
            if (b == (byte)'_')
            {
                continue;
            }
            if (length == normalized.Length)
            {
                return null; // Longer than every member's name.
            }
            normalized[length++] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
        }
        foreach (var member in Members)
        {
            if (normalized[..length].SequenceEqual(member.NormalizedName))
            {
                return member;
            }
        }
        return null;
    }

    /// <summary>Makes the instance from what was read: constructor arguments first, then the other settable members.</summary>
    public T Create(object?[] values, bool[] present)
    {
        var arguments = new object?[_constructorArity];
        for (var i = 0; i < _constructorArity; i++)
        {
            arguments[i] = _defaults[i];
        }
        foreach (var member in Members)
        {
            if (member.ParameterIndex >= 0 && present[member.Index])
            {
                arguments[member.ParameterIndex] = values[member.Index];
            }
        }
        var instance = (T)_constructor.Invoke(arguments.AsSpan())!;
        foreach (var member in Members)
        {
            if (member.ParameterIndex < 0 && present[member.Index])
            {
                member.Set(instance, values[member.Index]);
            }
        }
        return instance;
    }

    private static JsonContract<T> Build()
    {
        var constructor = typeof(T).GetConstructors().MaxBy(c => c.GetParameters().Length)
            ?? throw new MessagePackSerializationException($"{typeof(T).Name} has no public constructor to bind through.");
        var parameters = constructor.GetParameters();
        var members = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true } && Ignore(p) != JsonIgnoreCondition.Always)
            .Select((p, index) => (ContractMember<T>)Activator.CreateInstance(
                typeof(ContractMember<,>).MakeGenericType(typeof(T), p.PropertyType),
                p, index, Array.FindIndex(parameters, a => string.Equals(a.Name, p.Name, StringComparison.OrdinalIgnoreCase)), Ignore(p))!)
            .ToArray();
        return new JsonContract<T>(constructor, members);
    }

    private static JsonIgnoreCondition? Ignore(PropertyInfo property) =>
        property.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition;
}

/// <summary>One member of a <see cref="JsonContract{T}"/>: its wire name, its ignore rule, and how it is read and written.</summary>
internal abstract class ContractMember<T>
{
    /// <summary>The longest name (without underscores) a member may have; longer keys name no member.</summary>
    public const int MaxNormalizedLength = 128;

    protected ContractMember(PropertyInfo property, int index, int parameterIndex)
    {
        Name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
        EncodedName = MessagePackSerializer.Serialize(Name);
        NormalizedName = System.Text.Encoding.UTF8.GetBytes(Name.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant());
        if (NormalizedName.Length > MaxNormalizedLength)
        {
            throw new MessagePackSerializationException($"The member name {Name} of {typeof(T).Name} is too long for a wire name.");
        }
        Index = index;
        ParameterIndex = parameterIndex;
    }

    public string Name { get; }

    /// <summary>The name as a MessagePack str, written as it is.</summary>
    public byte[] EncodedName { get; }

    /// <summary>The name without underscores, lower case: what keys are compared with.</summary>
    public byte[] NormalizedName { get; }

    public int Index { get; }

    /// <summary>The constructor parameter this member binds to, or -1 (set after construction).</summary>
    public int ParameterIndex { get; }

    public abstract bool ShouldWrite(T instance);

    public abstract void Write(ref MessagePackWriter writer, T instance, MessagePackSerializerOptions options);

    public abstract object? Read(ref MessagePackReader reader, MessagePackSerializerOptions options);

    public abstract void Set(T instance, object? value);
}

internal sealed class ContractMember<T, TValue> : ContractMember<T>
{
    private readonly Func<T, TValue> _get;
    private readonly PropertyInfo _property;
    private readonly JsonIgnoreCondition? _ignore;
    private FormatterFor? _formatter;

    public ContractMember(PropertyInfo property, int index, int parameterIndex, JsonIgnoreCondition? ignore)
        : base(property, index, parameterIndex)
    {
        _get = property.GetMethod!.CreateDelegate<Func<T, TValue>>();
        _property = property;
        _ignore = ignore;
    }

    public override bool ShouldWrite(T instance) => _ignore switch
    {
        JsonIgnoreCondition.WhenWritingNull => _get(instance) is not null,
        JsonIgnoreCondition.WhenWritingDefault => !EqualityComparer<TValue>.Default.Equals(_get(instance), default),
        _ => true,
    };

    public override void Write(ref MessagePackWriter writer, T instance, MessagePackSerializerOptions options) =>
        Formatter(options).Serialize(ref writer, _get(instance), options);

    public override object? Read(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        Formatter(options).Deserialize(ref reader, options);

    public override void Set(T instance, object? value)
    {
        if (_property.SetMethod is null)
        {
            throw new MessagePackSerializationException($"{typeof(T).Name}.{_property.Name} can't be set.");
        }
        _property.SetValue(instance, value);
    }

    /// <summary>The value's formatter under the options' resolver, kept for the resolver it was found with.</summary>
    private IMessagePackFormatter<TValue> Formatter(MessagePackSerializerOptions options)
    {
        var cached = _formatter;
        if (cached is not null && ReferenceEquals(cached.Resolver, options.Resolver))
        {
            return cached.Formatter;
        }
        var formatter = options.Resolver.GetFormatterWithVerify<TValue>();
        _formatter = new FormatterFor(options.Resolver, formatter);
        return formatter;
    }

    private sealed record FormatterFor(IFormatterResolver Resolver, IMessagePackFormatter<TValue> Formatter);
}

/// <summary>Reads and writes a <see cref="JsonContract{T}"/> class as a map keyed by its JSON names.</summary>
internal sealed class JsonContractFormatter<T> : IMessagePackFormatter<T?>
    where T : class
{
    public static readonly JsonContractFormatter<T> Instance = new();

    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        var members = JsonContract<T>.Instance.Members;
        var count = 0;
        foreach (var member in members)
        {
            count += member.ShouldWrite(value) ? 1 : 0;
        }
        writer.WriteMapHeader(count);
        foreach (var member in members)
        {
            if (member.ShouldWrite(value))
            {
                writer.WriteRaw(member.EncodedName);
                member.Write(ref writer, value, options);
            }
        }
    }

    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        var contract = JsonContract<T>.Instance;
        options.Security.DepthStep(ref reader);
        var values = new object?[contract.Members.Length];
        var present = new bool[contract.Members.Length];
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var member = ReadKey(ref reader, contract);
            if (member is null)
            {
                reader.Skip(); // Unknown keys are ignored, as System.Text.Json ignores them.
                continue;
            }
            try
            {
                values[member.Index] = member.Read(ref reader, options);
            }
            catch (Exception ex) when (ex is not InsufficientExecutionStackException)
            {
                throw new MessagePackSerializationException($"'{member.Name}' of {typeof(T).Name}: {ex.Message}", ex);
            }
            present[member.Index] = true;
        }
        reader.Depth--;
        return contract.Create(values, present);
    }

    private static ContractMember<T>? ReadKey(ref MessagePackReader reader, JsonContract<T> contract)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            reader.Skip(); // A key no JSON member can have.
            return null;
        }
        if (reader.TryReadStringSpan(out var span))
        {
            return contract.Find(span);
        }
        var key = reader.ReadString();
        return key is null ? null : contract.Find(System.Text.Encoding.UTF8.GetBytes(key));
    }
}
