using System.Security.Cryptography;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hosting;

/// <summary>
/// In development mode (the embedded PostgreSQL, no connection string) the service signs URLs with a secret it generates
/// once and keeps in the embedded data directory, so <c>/share</c> works out of the box as in a Zaqar devstack (issue 13
/// item 4). An explicit <c>SignedUrl:SecretKey</c> wins; with an external database nothing is generated.
/// </summary>
internal static class DevelopmentSignedUrlKey
{
    public const string FileName = "zaqarhub.signed-url.key";

    private static readonly string ConfigurationKey = $"{SignedUrlOptions.SectionName}:{nameof(SignedUrlOptions.SecretKey)}";

    /// <summary>Sets the key from <paramref name="dataDirectory"/> (created there on first use) unless one is configured.</summary>
    public static async Task ApplyAsync(IConfiguration configuration, string dataDirectory, CancellationToken ct = default)
    {
        if (!string.IsNullOrEmpty(configuration[ConfigurationKey]))
        {
            return;
        }
        var file = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(file))
        {
            var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // The key signs grants to every queue: readable by the service's user only.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            try
            {
                await using var writer = new StreamWriter(file, options);
                await writer.WriteAsync(secret.AsMemory(), ct);
            }
            catch (IOException) when (File.Exists(file))
            {
                // Another instance on the same data directory wrote it first: use theirs.
            }
        }
        configuration[ConfigurationKey] = (await File.ReadAllTextAsync(file, ct)).Trim();
    }
}
