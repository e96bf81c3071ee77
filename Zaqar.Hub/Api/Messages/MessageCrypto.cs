using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Api;

/// <summary>
/// At-rest encryption of message bodies for queues with <c>_enable_encrypt_messages</c> (zaqar-v2-api.md 3.7):
/// AES-256-CBC with a random IV, the key being SHA-256 of <see cref="ZaqarOptions.MessageEncryptionKey"/>, as
/// Zaqar does. Unlike Zaqar (which pickles non-string bodies), the JSON text of any body is encrypted, so every
/// read path returns the posted value unchanged.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class MessageCrypto(IOptions<ZaqarOptions> options)
{
    private readonly Lazy<byte[]> _key = new(() => SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.MessageEncryptionKey)));

    /// <summary>The stored form of an encrypted body: a JSON string of base64(IV + ciphertext).</summary>
    public string Encrypt(string json)
    {
        using var aes = Aes.Create();
        aes.Key = _key.Value;
        aes.GenerateIV();
        var cipher = aes.EncryptCbc(Encoding.UTF8.GetBytes(json), aes.IV);
        return JsonSerializer.Serialize(Convert.ToBase64String([.. aes.IV, .. cipher]));
    }

    /// <summary>The JSON text of a stored body, decrypted when it was stored encrypted.</summary>
    public string BodyText(StoredMessage message) => BodyText(message.Body, message.Encrypted);

    /// <summary>The JSON text of a body in its stored form (as messages and the notification outbox keep it).</summary>
    public string BodyText(string stored, bool encrypted)
    {
        if (!encrypted)
        {
            return stored;
        }
        var data = Convert.FromBase64String(JsonSerializer.Deserialize<string>(stored)!);
        using var aes = Aes.Create();
        aes.Key = _key.Value;
        return Encoding.UTF8.GetString(aes.DecryptCbc(data.AsSpan(16), data.AsSpan(0, 16)));
    }

    public JsonElement Body(StoredMessage message) => JsonInput.ParseStored(BodyText(message));
}
