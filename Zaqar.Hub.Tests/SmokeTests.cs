namespace Zaqar.Hub.Tests;

public class SmokeTests
{
    [Fact]
    public void MessageIdsCarryTheirQueuePosition()
    {
        var id = Zaqar.Data.MessageIds.Compose(42, -7);
        Assert.Equal(42, Zaqar.Data.MessageIds.SeqOf(id));
        Assert.StartsWith("00000000-0000-002a-ffff", id.ToString(), StringComparison.Ordinal);
    }
}
