using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization;

/// <summary>Reads and writes one .NET type as MessagePack. Values are boxed, like System.Text.Json's Get/Set delegates.</summary>
/// <remarks>Instances are cached per type and shared by all connections: implementations must be immutable after creation.</remarks>
internal abstract class MsgPackConverter
{
    protected MsgPackConverter(Type type)
    {
        Type = type;
        AcceptsNull = !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
    }

    /// <summary>The type this converter produces.</summary>
    public Type Type { get; }

    /// <summary>Whether nil may bind to this type (reference types and <see cref="Nullable{T}"/>).</summary>
    public bool AcceptsNull { get; }

    /// <summary>True when nil has its own meaning for this type (a JsonElement of kind Null) rather than <see langword="null"/>.</summary>
    public virtual bool HandlesNil => false;

    /// <summary>Writes <paramref name="value"/>, which is never <see langword="null"/> (the caller writes nil).</summary>
    public abstract void Write(MsgPackWriter writer, object value);

    /// <summary>Reads a value; nil has already been dealt with unless <see cref="HandlesNil"/> is true.</summary>
    public abstract object? Read(ref MsgPackReader reader);

    /// <summary>The exception for a value whose MessagePack type cannot bind to <see cref="Type"/>.</summary>
    protected InvalidDataException Mismatch(ref MsgPackReader reader) =>
        new($"Cannot bind MessagePack {MsgPackCode.NameOf(reader.NextType)} at byte {reader.Position} to {TypeNames.Of(Type)}.");
}
