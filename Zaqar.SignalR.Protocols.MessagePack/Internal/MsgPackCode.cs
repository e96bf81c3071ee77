namespace Zaqar.SignalR.Protocols.MessagePack.Internal;

/// <summary>MessagePack format bytes (see the MessagePack specification, "Formats").</summary>
internal static class MsgPackCode
{
    public const byte MaxPositiveFixInt = 0x7f;
    public const byte MinFixMap = 0x80;
    public const byte MaxFixMap = 0x8f;
    public const byte MinFixArray = 0x90;
    public const byte MaxFixArray = 0x9f;
    public const byte MinFixStr = 0xa0;
    public const byte MaxFixStr = 0xbf;
    public const byte Nil = 0xc0;
    public const byte NeverUsed = 0xc1;
    public const byte False = 0xc2;
    public const byte True = 0xc3;
    public const byte Bin8 = 0xc4;
    public const byte Bin16 = 0xc5;
    public const byte Bin32 = 0xc6;
    public const byte Ext8 = 0xc7;
    public const byte Ext16 = 0xc8;
    public const byte Ext32 = 0xc9;
    public const byte Float32 = 0xca;
    public const byte Float64 = 0xcb;
    public const byte UInt8 = 0xcc;
    public const byte UInt16 = 0xcd;
    public const byte UInt32 = 0xce;
    public const byte UInt64 = 0xcf;
    public const byte Int8 = 0xd0;
    public const byte Int16 = 0xd1;
    public const byte Int32 = 0xd2;
    public const byte Int64 = 0xd3;
    public const byte FixExt1 = 0xd4;
    public const byte FixExt2 = 0xd5;
    public const byte FixExt4 = 0xd6;
    public const byte FixExt8 = 0xd7;
    public const byte FixExt16 = 0xd8;
    public const byte Str8 = 0xd9;
    public const byte Str16 = 0xda;
    public const byte Str32 = 0xdb;
    public const byte Array16 = 0xdc;
    public const byte Array32 = 0xdd;
    public const byte Map16 = 0xde;
    public const byte Map32 = 0xdf;
    public const byte MinNegativeFixInt = 0xe0;

    /// <summary>The extension type the MessagePack spec reserves for timestamps.</summary>
    public const sbyte TimestampExtType = -1;

    public static MsgPackType TypeOf(byte code) => code switch
    {
        <= MaxPositiveFixInt => MsgPackType.Integer,
        <= MaxFixMap => MsgPackType.Map,
        <= MaxFixArray => MsgPackType.Array,
        <= MaxFixStr => MsgPackType.String,
        Nil => MsgPackType.Nil,
        NeverUsed => MsgPackType.Invalid,
        False or True => MsgPackType.Boolean,
        Bin8 or Bin16 or Bin32 => MsgPackType.Binary,
        Ext8 or Ext16 or Ext32 => MsgPackType.Extension,
        Float32 or Float64 => MsgPackType.Float,
        >= UInt8 and <= Int64 => MsgPackType.Integer,
        >= FixExt1 and <= FixExt16 => MsgPackType.Extension,
        Str8 or Str16 or Str32 => MsgPackType.String,
        Array16 or Array32 => MsgPackType.Array,
        Map16 or Map32 => MsgPackType.Map,
        _ => MsgPackType.Integer, // 0xe0..0xff: negative fixint
    };

    /// <summary>A short name for error messages ("int", "str", "map", ...).</summary>
    public static string NameOf(MsgPackType type) => type switch
    {
        MsgPackType.Integer => "int",
        MsgPackType.Nil => "nil",
        MsgPackType.Boolean => "bool",
        MsgPackType.Float => "float",
        MsgPackType.String => "str",
        MsgPackType.Binary => "bin",
        MsgPackType.Array => "array",
        MsgPackType.Map => "map",
        MsgPackType.Extension => "ext",
        _ => "invalid (0xc1)",
    };
}

/// <summary>The MessagePack type families.</summary>
internal enum MsgPackType : byte
{
    Invalid,
    Integer,
    Nil,
    Boolean,
    Float,
    String,
    Binary,
    Array,
    Map,
    Extension,
}
