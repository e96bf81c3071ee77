namespace Zaqar.Hub.Cluster;

/// <summary>
/// Another kind of news on the cluster's channel than posts (presence joins and leaves, issue 13): the listener hands it
/// every payload that is not a post announcement, so the cluster needs to know no more of it than this interface.
/// </summary>
/// <remarks>Called on a listener's thread, inside its wait: implementations decode and hand off only.</remarks>
public interface IClusterSignal
{
    /// <summary>Takes the payload if it is this signal's (its own node's included: the signal filters those); false otherwise.</summary>
    bool TryReceive(string payload);
}
