using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Zaqar.Hub.Hubs;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>
/// Writes the TypeScript definitions of the hub (issue 15 item 4) from the hub class by reflection: every method of
/// <see cref="QueuesHub"/> with its arguments and result, the streams, the callbacks of <see cref="IQueuesClient"/>, and
/// every record they use with its JSON names (<see cref="JsonPropertyNameAttribute"/>), so the checked-in
/// Zaqar.Hub/Console/src/queues-hub.d.ts can be compared with what the hub is.
/// </summary>
internal static class HubTypeScript
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static string Generate()
    {
        var records = new SortedDictionary<string, Type>(StringComparer.Ordinal);
        var methods = typeof(QueuesHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(QueuesHub))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        var text = new StringBuilder();
        text.Append("""
            // The hub at /hubs/queues as TypeScript (issue 15 item 4). GENERATED from the hub class by
            // Zaqar.Hub.Tests/Clients/HubTypeScript.cs; the test HubTypeScriptTests fails when this file and the hub differ.
            // Regenerate: ZAQAR_WRITE_HUB_TYPES=1 dotnet test Zaqar.Hub.Tests --filter "FullyQualifiedName~HubTypeScript"
            import type { IStreamResult } from "@microsoft/signalr";

            /** Any JSON value (message bodies, metadata, options). */
            export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

            /** A JSON object. */
            export type JsonObject = { [key: string]: Json };

            /**
             * The error of a failed call: a HubException whose message ends with "HubException: " and this object as JSON,
             * with REST's status, title and description.
             */
            export interface HubErrorBody {
              status: number;
              title: string;
              description: string | null;
            }

            /** The methods answered by invoke(): arguments and result. SignalR has no optional arguments: pass null. */
            export interface QueuesHub {

            """);
        foreach (var method in methods.Where(m => !IsStream(m.ReturnType)))
        {
            text.Append($"  {method.Name}({Parameters(method, records)}): Promise<{Result(method.ReturnParameter, records)}>;\n");
        }
        text.Append("}\n\n/** The methods answered by stream(): each yields items until the caller disposes of the subscription. */\nexport interface QueuesHubStreams {\n");
        foreach (var method in methods.Where(m => IsStream(m.ReturnType)))
        {
            var item = TypeOf(method.ReturnType.GetGenericArguments()[0], nullable: false, records);
            text.Append($"  {method.Name}({Parameters(method, records)}): IStreamResult<{item}>;\n");
        }
        text.Append("}\n\n/** What the server calls on the client: register each with connection.on(name, handler). */\nexport interface QueuesClient {\n");
        foreach (var callback in typeof(IQueuesClient).GetMethods().OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            text.Append($"  {callback.Name}({Parameters(callback, records)}): void;\n");
        }
        text.Append("}\n");
        // Records found while writing a record's members are added as they are found.
        var written = new HashSet<string>(StringComparer.Ordinal);
        while (records.Keys.FirstOrDefault(k => !written.Contains(k)) is { } name)
        {
            written.Add(name);
            text.Append('\n').Append(Record(records[name], records));
        }
        var ordered = SortRecords(text.ToString());
        return ordered;
    }

    // Records are written in the order found; sort their blocks by name so the file is stable.
    private static string SortRecords(string text)
    {
        var at = text.IndexOf("\nexport interface ", text.IndexOf("export interface QueuesClient", StringComparison.Ordinal), StringComparison.Ordinal);
        if (at < 0)
        {
            return text;
        }
        var blocks = text[(at + 1)..].Split("\n\n").Select(b => b.TrimEnd('\n')).Order(StringComparer.Ordinal);
        return text[..(at + 1)] + string.Join("\n\n", blocks) + "\n";
    }

    private static bool IsStream(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>);

    private static string Parameters(MethodInfo method, IDictionary<string, Type> records) => string.Join(", ", method.GetParameters()
        .Where(p => p.ParameterType != typeof(CancellationToken))
        .Select(p => $"{p.Name}: {TypeOf(p.ParameterType, IsNullable(Nullability.Create(p)), records)}"));

    private static string Result(ParameterInfo returned, IDictionary<string, Type> records)
    {
        var type = returned.ParameterType;
        if (type == typeof(void) || type == typeof(Task))
        {
            return "void";
        }
        var info = Nullability.Create(returned);
        return TypeOf(type.GetGenericArguments()[0], IsNullable(info.GenericTypeArguments[0]), records);
    }

    private static bool IsNullable(NullabilityInfo info) => info.ReadState == NullabilityState.Nullable;

    private static string TypeOf(Type type, bool nullable, IDictionary<string, Type> records)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return TypeOf(underlying, nullable: true, records);
        }
        var ts = type switch
        {
            _ when type == typeof(string) || type == typeof(Guid) => "string",
            _ when type == typeof(bool) => "boolean",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(double) => "number",
            _ when type == typeof(JsonElement) => "Json",
            _ when type == typeof(JsonObject) => "JsonObject",
            { IsArray: true } => $"{Element(type.GetElementType()!, records)}[]",
            { IsGenericType: true } when type.GetGenericArguments().Length == 1 && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) =>
                $"{Element(type.GetGenericArguments()[0], records)}[]",
            { IsClass: true } when type.Namespace?.StartsWith("Zaqar.Hub", StringComparison.Ordinal) == true => Register(type, records),
            _ => throw new NotSupportedException($"No TypeScript for {type} yet: add it to HubTypeScript.TypeOf."),
        };
        // JsonElement already includes null; a nullable one is still Json.
        return nullable && ts != "Json" ? $"{ts} | null" : ts;
    }

    private static string Element(Type type, IDictionary<string, Type> records)
    {
        var ts = TypeOf(type, nullable: false, records);
        return ts.Contains(' ', StringComparison.Ordinal) ? $"({ts})" : ts;
    }

    private static string Register(Type type, IDictionary<string, Type> records)
    {
        records.TryAdd(type.Name, type);
        return type.Name;
    }

    private static string Record(Type type, IDictionary<string, Type> records)
    {
        var optionalInConstructor = type.GetConstructors().SelectMany(c => c.GetParameters())
            .Where(p => p.HasDefaultValue).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var text = new StringBuilder($"export interface {type.Name} {{\n");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            var ignore = property.GetCustomAttribute<JsonIgnoreAttribute>();
            if (ignore is { Condition: JsonIgnoreCondition.Always })
            {
                continue;
            }
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            // Left out when null or default, or an argument with a default: the key may be absent.
            var optional = ignore is not null || optionalInConstructor.Contains(property.Name);
            var tsType = TypeOf(property.PropertyType, IsNullable(Nullability.Create(property)), records);
            text.Append($"  {name}{(optional ? "?" : "")}: {tsType};\n");
        }
        return text.Append("}\n").ToString();
    }
}
