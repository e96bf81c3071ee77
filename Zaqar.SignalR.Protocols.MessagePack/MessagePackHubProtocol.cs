using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Zaqar.SignalR.Protocols.MessagePack.Internal;
using Zaqar.SignalR.Protocols.MessagePack.Serialization;

namespace Zaqar.SignalR.Protocols.MessagePack;

/// <summary>
/// SignalR's "messagepack" hub protocol (versions 1 and 2), wire-compatible with <c>@microsoft/signalr-protocol-msgpack</c>,
/// with objects mapped through System.Text.Json's contract so that a DTO has the same keys here as in the JSON protocol.
/// </summary>
/// <remarks>
/// Registered as a singleton by <c>AddZaqarMessagePackProtocol</c> and shared by every connection: it is thread-safe.
/// Its only mutable state is the per-type converter cache (concurrent) and per-thread scratch buffers.
/// Every frame is untrusted: it is checked against <see cref="MessagePackHubProtocolOptions"/> limits and for well-formed
/// MessagePack before anything is bound, and a violation throws <see cref="InvalidDataException"/>.
/// </remarks>
public sealed class MessagePackHubProtocol : IHubProtocol
{
    private const string ProtocolName = "messagepack";
    private const int ProtocolVersion = 2;

    private readonly MessagePackHubProtocolOptions _limits;
    private readonly MsgPackSerializer _serializer;

    /// <summary>Creates the protocol with default limits and the JSON hub protocol's default serializer options.</summary>
    public MessagePackHubProtocol()
        : this(new MessagePackHubProtocolOptions())
    {
    }

    /// <summary>Creates the protocol from options; used by dependency injection.</summary>
    /// <param name="options">Limits, and optionally the serializer options to use.</param>
    /// <param name="jsonOptions">The JSON hub protocol's options, whose payload serializer options are the default.</param>
    public MessagePackHubProtocol(IOptions<MessagePackHubProtocolOptions> options, IOptions<JsonHubProtocolOptions> jsonOptions)
        : this(Require(options).Value, Require(jsonOptions).Value.PayloadSerializerOptions)
    {
    }

    /// <summary>Creates the protocol from explicit options.</summary>
    /// <param name="options">Limits, and optionally the serializer options to use.</param>
    public MessagePackHubProtocol(MessagePackHubProtocolOptions options)
        : this(options, null)
    {
    }

    private MessagePackHubProtocol(MessagePackHubProtocolOptions options, JsonSerializerOptions? fallbackSerializerOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.GetValidationError() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        // A private copy: the documented contract is that later changes to the options object have no effect.
        _limits = new MessagePackHubProtocolOptions
        {
            MaxDepth = options.MaxDepth,
            MaxFrameSize = options.MaxFrameSize,
            MaxStringLength = options.MaxStringLength,
            MaxBinaryLength = options.MaxBinaryLength,
            MaxCollectionLength = options.MaxCollectionLength,
        };
        _serializer = new MsgPackSerializer(
            options.SerializerOptions ?? fallbackSerializerOptions ?? new JsonHubProtocolOptions().PayloadSerializerOptions);
    }

    /// <inheritdoc />
    public string Name => ProtocolName;

    /// <inheritdoc />
    public int Version => ProtocolVersion;

    /// <inheritdoc />
    public TransferFormat TransferFormat => TransferFormat.Binary;

    /// <inheritdoc />
    public bool IsVersionSupported(int version) => version <= Version;

    /// <summary>
    /// Parses the first whole frame in <paramref name="input"/> and slices the input past it. Returns false, consuming
    /// nothing more, when no whole frame is buffered yet. Whole frames of unknown message types are skipped.
    /// </summary>
    /// <exception cref="InvalidDataException">The frame is malformed or breaks a configured limit.</exception>
    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        ArgumentNullException.ThrowIfNull(binder);
        while (LengthPrefix.TryRead(input, out var length, out var prefixSize))
        {
            // Checked before waiting for the body, so a lying prefix cannot make the transport buffer 2 GB for us.
            if (length > _limits.MaxFrameSize)
            {
                throw new InvalidDataException(
                    $"The frame declares {length} bytes, over the limit of {_limits.MaxFrameSize} (MaxFrameSize).");
            }

            if (input.Length - prefixSize < length)
            {
                break;
            }

            message = ParseFrame(input.Slice(prefixSize, length), binder);
            input = input.Slice(prefixSize + length);
            if (message is not null)
            {
                return true;
            }
        }

        message = null;
        return false;
    }

    /// <inheritdoc />
    public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        using var writer = MsgPackWriter.Rent(_serializer.MaxWriteDepth);
        HubMessageWriter.Write(message, writer, _serializer);
        writer.CopyFrameTo(output);
    }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var writer = MsgPackWriter.Rent(_serializer.MaxWriteDepth);
        HubMessageWriter.Write(message, writer, _serializer);
        return writer.ToFrameArray();
    }

    private HubMessage? ParseFrame(in ReadOnlySequence<byte> frame, IInvocationBinder binder)
    {
        if (frame.IsSingleSegment)
        {
            return ValidateAndParse(frame.FirstSpan, binder);
        }

        // Frames are bounded by MaxFrameSize, so a contiguous pooled copy of a multi-segment frame is cheap and bounded.
        var length = (int)frame.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(rented);
            return ValidateAndParse(rented.AsSpan(0, length), binder);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private HubMessage? ValidateAndParse(ReadOnlySpan<byte> payload, IInvocationBinder binder)
    {
        FrameValidator.Validate(payload, _limits);
        return HubMessageParser.Parse(payload, binder, _serializer);
    }

    private static T Require<T>(T? value)
        where T : class => value ?? throw new ArgumentNullException(typeof(T).Name);
}
