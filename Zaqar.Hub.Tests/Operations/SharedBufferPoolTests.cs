using Zaqar.Hub.Hosting;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Issue 14: the service sizes the runtime's shared array pool for pushes to many connections, unless the operator chose
/// a size. (What the size does is a bench figure, the fan-out's bytes allocated per delivery, not a test's.)
/// </summary>
public sealed class SharedBufferPoolTests
{
    [Fact]
    public void WithoutTheOperatorsValueTheServiceSetsItsOwn()
    {
        WithVariable(null, () =>
        {
            Assert.True(SharedBufferPool.Configure());
            Assert.Equal("1024", Environment.GetEnvironmentVariable(SharedBufferPool.ArraysPerCoreVariable));
            Assert.True(SharedBufferPool.SetByThisProcess);
        });
    }

    [Theory]
    [InlineData("77")]
    [InlineData(" 4096 ")]
    public void TheOperatorsValueIsKept(string value)
    {
        WithVariable(value, () =>
        {
            Assert.False(SharedBufferPool.Configure());
            Assert.Equal(value, Environment.GetEnvironmentVariable(SharedBufferPool.ArraysPerCoreVariable));
        });
    }

    /// <summary>Runs <paramref name="test"/> with the variable as given, then puts back what the test process had.</summary>
    private static void WithVariable(string? value, Action test)
    {
        var before = Environment.GetEnvironmentVariable(SharedBufferPool.ArraysPerCoreVariable);
        try
        {
            Environment.SetEnvironmentVariable(SharedBufferPool.ArraysPerCoreVariable, value);
            test();
        }
        finally
        {
            Environment.SetEnvironmentVariable(SharedBufferPool.ArraysPerCoreVariable, before);
        }
    }
}
