using Microsoft.EntityFrameworkCore;
using Zaqar.Data.Entities;

namespace Zaqar.Data.Pools;

/// <summary>
/// The EF Core model of the pool catalog (issue #6): pools, flavors and the catalogue of queues. The tables live in the
/// primary database; the migrations create them in every pool database too (one schema everywhere), where they stay empty.
/// </summary>
internal static class PoolModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<FlavorEntity>(b =>
        {
            b.ToTable("flavors");
            b.HasKey(f => f.Name).HasName("pk_flavors");
            b.Property(f => f.Name).HasColumnName("name").HasMaxLength(64);
        });

        modelBuilder.Entity<PoolEntity>(b =>
        {
            b.ToTable("pools");
            b.HasKey(p => p.Name).HasName("pk_pools");
            b.Property(p => p.Name).HasColumnName("name").HasMaxLength(64);
            b.Property(p => p.Uri).HasColumnName("uri").HasMaxLength(255);
            b.Property(p => p.Weight).HasColumnName("weight");
            b.Property(p => p.Flavor).HasColumnName("flavor").HasMaxLength(64);
            b.Property(p => p.Options).HasColumnName("options").HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            // "409 uri already used": one database, one pool.
            b.HasIndex(p => p.Uri).IsUnique().HasDatabaseName("ux_pools_uri");
            // A flavor's pool list; deleting a flavor takes it off its pools, as Zaqar does.
            b.HasIndex(p => p.Flavor).HasDatabaseName("ix_pools_flavor");
            b.HasOne(p => p.FlavorEntity).WithMany().HasForeignKey(p => p.Flavor).OnDelete(DeleteBehavior.SetNull)
                .HasConstraintName("fk_pools_flavors");
        });

        modelBuilder.Entity<CatalogueEntity>(b =>
        {
            b.ToTable("catalogue");
            // Serves every lookup of a queue's pool and the name-ordered listing of a project's queues after a marker.
            b.HasKey(c => new { c.Project, c.Kind, c.Name }).HasName("pk_catalogue");
            b.Property(c => c.Project).HasColumnName("project").HasMaxLength(256);
            b.Property(c => c.Kind).HasColumnName("kind").HasConversion<short>();
            b.Property(c => c.Name).HasColumnName("name").HasMaxLength(64);
            b.Property(c => c.Pool).HasColumnName("pool").HasMaxLength(64);
            b.Property(c => c.Listed).HasColumnName("listed");
            // A pool that still holds queues can't be deleted (their rows would be lost to routing); the index serves the
            // foreign key's check and the count in the refusal.
            b.HasIndex(c => c.Pool).HasDatabaseName("ix_catalogue_pool");
            b.HasOne(c => c.PoolEntity).WithMany().HasForeignKey(c => c.Pool).OnDelete(DeleteBehavior.Restrict)
                .HasConstraintName("fk_catalogue_pools");
        });
    }
}
