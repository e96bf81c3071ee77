using System.Buffers;
using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary>
/// Classes, structs and records (System.Text.Json's Object kind) as a MessagePack map. Writing uses exactly the JSON
/// contract's names, order and ignore conditions. Reading matches keys liberally (<see cref="MemberLookup"/>), skips unknown
/// keys, keeps defaults for missing members, and fails binding for a missing <c>required</c> member or a missing
/// non-nullable constructor parameter without a default.
/// </summary>
/// <remarks>
/// Objects are created with the contract's parameterless factory, or else with the constructor System.Text.Json chose
/// (<see cref="JsonTypeInfo.ConstructorAttributeProvider"/>), fed from the members' associated parameters.
/// Immutable after construction; thread-safe.
/// </remarks>
internal sealed class PocoConverter : MsgPackConverter
{
    private static readonly object _skip = new();

    private readonly MsgPackSerializer _serializer;
    private readonly PocoMember[] _members;
    private readonly MemberLookup _lookup;
    private readonly Func<object>? _create;
    private readonly ConstructorInvoker? _constructor;
    private readonly int _parameterCount;
    private readonly JsonIgnoreCondition _defaultIgnore;
    private readonly bool _respectNullable;

    public PocoConverter(Type type, JsonTypeInfo typeInfo, MsgPackSerializer serializer)
        : base(type)
    {
        _serializer = serializer;
        _members = [.. typeInfo.Properties.Select(p => new PocoMember(p, serializer))];
        _lookup = new MemberLookup(_members);
        _create = typeInfo.CreateObject;
        _defaultIgnore = serializer.Options.DefaultIgnoreCondition;
        _respectNullable = serializer.Options.RespectNullableAnnotations;
        if (_create is null && typeInfo.ConstructorAttributeProvider is ConstructorInfo constructor)
        {
            _constructor = ConstructorInvoker.Create(constructor);
            _parameterCount = constructor.GetParameters().Length;
        }
    }

    public override void Write(MsgPackWriter writer, object value)
    {
        writer.Enter();
        var values = ArrayPool<object?>.Shared.Rent(_members.Length);
        try
        {
            var count = 0;
            for (var i = 0; i < _members.Length; i++)
            {
                var member = _members[i];
                var memberValue = member.Get is null ? _skip : member.Get(value);
                if (memberValue != _skip && !member.ShouldWrite(value, memberValue, _defaultIgnore))
                {
                    memberValue = _skip;
                }

                values[i] = memberValue;
                count += memberValue == _skip ? 0 : 1;
            }

            writer.WriteMapHeader(count);
            for (var i = 0; i < _members.Length; i++)
            {
                if (values[i] != _skip)
                {
                    writer.WriteStringUtf8(_members[i].Utf8Name);
                    _serializer.Write(writer, values[i], _members[i].Converter);
                }
            }
        }
        finally
        {
            ArrayPool<object?>.Shared.Return(values, clearArray: true);
        }

        writer.Exit();
    }

    public override object? Read(ref MsgPackReader reader)
    {
        if (reader.NextType != MsgPackType.Map)
        {
            throw Mismatch(ref reader);
        }

        var values = ArrayPool<object?>.Shared.Rent(_members.Length);
        var present = ArrayPool<bool>.Shared.Rent(_members.Length);
        try
        {
            Array.Clear(present, 0, _members.Length);
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var index = _lookup.Find(reader.ReadStringBytes());
                if (index < 0)
                {
                    reader.Skip();
                    continue;
                }

                values[index] = ReadMember(ref reader, _members[index]);
                present[index] = true;
            }

            return Build(values, present);
        }
        finally
        {
            ArrayPool<object?>.Shared.Return(values, clearArray: true);
            ArrayPool<bool>.Shared.Return(present);
        }
    }

    private object? ReadMember(ref MsgPackReader reader, PocoMember member)
    {
        try
        {
            var value = MsgPackSerializer.Read(ref reader, member.Converter);
            if (value is null && _respectNullable && !(member.ParameterPosition >= 0 ? member.ParameterIsNullable : member.IsSetNullable))
            {
                throw new BindingException($"nil is not allowed for the non-nullable member '{member.Name}'.");
            }

            return value;
        }
        catch (Exception ex)
        {
            throw BindingException.At(ex, BindingException.Member(member.Name));
        }
    }

    private object Build(object?[] values, bool[] present)
    {
        object instance;
        if (_create is not null)
        {
            instance = _create();
        }
        else if (_constructor is not null)
        {
            var arguments = new object?[_parameterCount];
            for (var i = 0; i < _members.Length; i++)
            {
                var member = _members[i];
                if (member.ParameterPosition < 0)
                {
                    continue;
                }

                if (!present[i] && !member.ParameterHasDefault && !member.ParameterIsNullable)
                {
                    throw new BindingException($"{TypeNames.Of(Type)} is missing the member '{member.Name}' (a constructor parameter).");
                }

                arguments[member.ParameterPosition] = present[i] ? values[i] : member.ParameterDefault;
            }

            instance = _constructor.Invoke(arguments);
        }
        else
        {
            throw new BindingException($"{TypeNames.Of(Type)} cannot be created: it has no parameterless or [JsonConstructor] constructor.");
        }

        for (var i = 0; i < _members.Length; i++)
        {
            var member = _members[i];
            if (!present[i])
            {
                if (member.IsRequired)
                {
                    throw new BindingException($"{TypeNames.Of(Type)} is missing the required member '{member.Name}'.");
                }

                continue;
            }

            if (member.ParameterPosition < 0 && member.Set is not null)
            {
                member.Set(instance, values[i]);
            }
        }

        return instance;
    }
}
