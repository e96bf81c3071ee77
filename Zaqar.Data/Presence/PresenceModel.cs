using Microsoft.EntityFrameworkCore;
using Zaqar.Data.Entities;

namespace Zaqar.Data.Presence;

/// <summary>
/// The EF Core model of presence (issue 13): the nodes and who is subscribed where. The tables live in the primary
/// database; the migrations create them in every pool database too (one schema everywhere), where they stay empty.
/// </summary>
internal static class PresenceModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ClusterNodeEntity>(b =>
        {
            b.ToTable("cluster_nodes");
            b.HasKey(n => n.NodeId).HasName("pk_cluster_nodes");
            b.Property(n => n.NodeId).HasColumnName("node_id").HasMaxLength(64);
            b.Property(n => n.StartedAt).HasColumnName("started_at");
            b.Property(n => n.SeenAt).HasColumnName("seen_at");
            b.Property(n => n.ExpiresAt).HasColumnName("expires_at");
        });

        modelBuilder.Entity<PresenceEntity>(b =>
        {
            b.ToTable("presence");
            // Serves the count of one queue's connections (a prefix) and makes a join idempotent.
            b.HasKey(p => new { p.Project, p.Kind, p.Queue, p.NodeId, p.ConnectionId }).HasName("pk_presence");
            b.Property(p => p.Project).HasColumnName("project").HasMaxLength(256);
            b.Property(p => p.Kind).HasColumnName("kind").HasConversion<short>();
            b.Property(p => p.Queue).HasColumnName("queue").HasMaxLength(64);
            b.Property(p => p.NodeId).HasColumnName("node_id").HasMaxLength(64);
            b.Property(p => p.ConnectionId).HasColumnName("connection_id").HasMaxLength(128);
            b.Property(p => p.ClientId).HasColumnName("client_id").HasMaxLength(64);
            b.Property(p => p.JoinedAt).HasColumnName("joined_at");
            // A node's rows go together: when it leaves, when it is found dead, when it resynchronizes.
            b.HasIndex(p => p.NodeId).HasDatabaseName("ix_presence_node_id");
        });
    }
}
