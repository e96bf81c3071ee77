using System.Reflection;
using NetArchTest.Rules;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Tests.Architecture;

/// <summary>
/// The floors of Zaqar.Hub depend in one direction (issue 12 item 7): transports on the common API layer, push on the
/// cluster, never back. Read from the compiled assembly (every reference a type's signatures and method bodies make).
/// </summary>
public sealed class DependencyDirectionTests
{
    private static readonly Assembly Hub = typeof(MessageService).Assembly;

    [Fact]
    public void TheCommonApiLayerReferencesNoTransportHostingOrCluster() =>
        AssertNone("Zaqar.Hub.Api", "Zaqar.Hub.Hosting", "Zaqar.Hub.Hubs", "Zaqar.Hub.Rest", "Zaqar.Hub.Cluster");

    [Fact]
    public void TheHubReferencesNoRestCode() => AssertNone("Zaqar.Hub.Hubs", "Zaqar.Hub.Rest");

    [Fact]
    public void RestReferencesNoHubCode() => AssertNone("Zaqar.Hub.Rest", "Zaqar.Hub.Hubs");

    [Fact]
    public void TheClusterKnowsPushOnlyThroughItsRelayTargets() => AssertNone("Zaqar.Hub.Cluster", "Zaqar.Hub.Hubs", "Zaqar.Hub.Rest");

    [Fact]
    public void TheRulesSeeReferencesThatExist()
    {
        // A rule that matched no type, or no reference, would pass whatever the code did: the host wires the hub up, so
        // the same rule must fail for it.
        var result = Types.InAssembly(Hub).That().ResideInNamespace("Zaqar.Hub.Hosting")
            .ShouldNot().HaveDependencyOnAny("Zaqar.Hub.Hubs").GetResult();
        Assert.False(result.IsSuccessful);
        Assert.Contains(result.FailingTypes, t => t.FullName == "Zaqar.Hub.Hosting.ZaqarHostingExtensions");

        // A namespace's child namespaces are held to its rule too (Zaqar.Hub.Api.Auth is part of the API layer).
        Assert.Contains(Types.InAssembly(Hub).That().ResideInNamespace("Zaqar.Hub.Api").GetTypes(),
            t => t.FullName == typeof(Zaqar.Hub.Api.Auth.Authenticator).FullName);
    }

    private static void AssertNone(string from, params string[] to)
    {
        var types = Types.InAssembly(Hub).That().ResideInNamespace(from);
        Assert.NotEmpty(types.GetTypes());
        var result = types.ShouldNot().HaveDependencyOnAny(to).GetResult();
        Assert.True(result.IsSuccessful, $"{from} references {string.Join(", ", to)} in: " +
            string.Join("; ", result.FailingTypes.Select(t => $"{t.FullName} ({t.Explanation})")));
    }
}
