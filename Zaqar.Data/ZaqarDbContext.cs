using Microsoft.EntityFrameworkCore;
using Zaqar.Data.Entities;
using Zaqar.Data.Pools;

namespace Zaqar.Data;

/// <summary>
/// The EF Core model of the queue store. EF owns the schema (migrations in <c>migrations/</c>) and simple reads;
/// the hot paths (post, claim, delete) are hand-written SQL in the stores, against the same snake_case tables.
/// </summary>
public sealed class ZaqarDbContext(DbContextOptions<ZaqarDbContext> options) : DbContext(options)
{
    public DbSet<QueueEntity> Queues => Set<QueueEntity>();

    public DbSet<MessageEntity> Messages => Set<MessageEntity>();

    public DbSet<ClaimEntity> Claims => Set<ClaimEntity>();

    public DbSet<SubscriptionEntity> Subscriptions => Set<SubscriptionEntity>();

    public DbSet<NotificationEntity> Notifications => Set<NotificationEntity>();

    public DbSet<PoolEntity> Pools => Set<PoolEntity>();

    public DbSet<FlavorEntity> Flavors => Set<FlavorEntity>();

    public DbSet<CatalogueEntity> Catalogue => Set<CatalogueEntity>();

    public DbSet<ClusterNodeEntity> ClusterNodes => Set<ClusterNodeEntity>();

    public DbSet<PresenceEntity> Presence => Set<PresenceEntity>();

    /// <summary>Hands out queue metadata versions (see <see cref="QueueEntity.MetadataVersion"/>).</summary>
    public const string MetadataVersionSequence = "queue_metadata_versions";

    /// <summary>PostgreSQL's <c>nextval</c>, for LINQ statements (a new <see cref="MetadataVersionSequence"/> in an ExecuteUpdate).</summary>
    public static long NextValue(string sequence) => throw new InvalidOperationException("Only EF Core queries can call nextval.");

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasSequence<long>(MetadataVersionSequence).StartsAt(1);
        modelBuilder.HasDbFunction(() => NextValue(default!)).HasName("nextval").IsBuiltIn();
        modelBuilder.Entity<QueueEntity>(b =>
        {
            b.ToTable("queues");
            b.HasKey(q => q.Id).HasName("pk_queues");
            b.Property(q => q.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            b.Property(q => q.Project).HasColumnName("project").HasMaxLength(256);
            b.Property(q => q.Kind).HasColumnName("kind").HasConversion<short>().HasDefaultValue(QueueKind.Queue);
            b.Property(q => q.Name).HasColumnName("name").HasMaxLength(64);
            b.Property(q => q.Metadata).HasColumnName("metadata").HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            b.Property(q => q.LastSeq).HasColumnName("last_seq").HasDefaultValue(0L);
            b.Property(q => q.MetadataVersion).HasColumnName("metadata_version").HasDefaultValue(0L);
            b.Property(q => q.CreatedAt).HasColumnName("created_at");
            b.Property(q => q.DefaultMessageTtl).HasColumnName("default_message_ttl");
            b.Property(q => q.DefaultMessageDelay).HasColumnName("default_message_delay");
            b.Property(q => q.MaxMessagesPostSize).HasColumnName("max_messages_post_size");
            b.Property(q => q.MaxClaimCount).HasColumnName("max_claim_count");
            b.Property(q => q.DeadLetterQueue).HasColumnName("dead_letter_queue");
            b.Property(q => q.DeadLetterQueueMessagesTtl).HasColumnName("dead_letter_queue_messages_ttl");
            b.Property(q => q.EncryptMessages).HasColumnName("encrypt_messages").HasDefaultValue(false);
            b.Property(q => q.RetryPolicy).HasColumnName("retry_policy").HasColumnType("jsonb");
            // Serves every lookup by (project, kind, name) and the name-ordered listing with a marker.
            b.HasIndex(q => new { q.Project, q.Kind, q.Name }).IsUnique().HasDatabaseName("ux_queues_project_kind_name");
        });

        modelBuilder.Entity<MessageEntity>(b =>
        {
            b.ToTable("messages");
            b.HasKey(m => new { m.QueueId, m.Seq }).HasName("pk_messages");
            b.Property(m => m.QueueId).HasColumnName("queue_id");
            b.Property(m => m.Seq).HasColumnName("seq");
            b.Property(m => m.Id).HasColumnName("id");
            b.Property(m => m.Body).HasColumnName("body").HasColumnType("json");
            b.Property(m => m.Ttl).HasColumnName("ttl");
            b.Property(m => m.CreatedAt).HasColumnName("created_at");
            b.Property(m => m.ExpiresAt).HasColumnName("expires_at");
            b.Property(m => m.VisibleAt).HasColumnName("visible_at");
            b.Property(m => m.ClaimId).HasColumnName("claim_id");
            b.Property(m => m.ClaimExpiresAt).HasColumnName("claim_expires_at");
            b.Property(m => m.ClaimCount).HasColumnName("claim_count").HasDefaultValue(0);
            b.Property(m => m.ClientId).HasColumnName("client_id").HasMaxLength(64);
            b.Property(m => m.Encrypted).HasColumnName("encrypted").HasDefaultValue(false);
            b.HasOne(m => m.Queue).WithMany().HasForeignKey(m => m.QueueId).OnDelete(DeleteBehavior.Cascade)
                .HasConstraintName("fk_messages_queues");
            // The expiry sweeper deletes by expires_at.
            b.HasIndex(m => m.ExpiresAt).HasDatabaseName("ix_messages_expires_at");
            // Claiming, renewing and releasing rewrite a message in place: leave room on each page so those updates
            // stay HOT (no index on the columns they change; a claim's messages are found through claims.message_seqs).
            b.HasStorageParameter("fillfactor", 85);
        });

        modelBuilder.Entity<ClaimEntity>(b =>
        {
            b.ToTable("claims");
            b.HasKey(c => c.Id).HasName("pk_claims");
            b.Property(c => c.Id).HasColumnName("id").ValueGeneratedNever();
            b.Property(c => c.QueueId).HasColumnName("queue_id");
            b.Property(c => c.Ttl).HasColumnName("ttl");
            b.Property(c => c.Grace).HasColumnName("grace");
            b.Property(c => c.CreatedAt).HasColumnName("created_at");
            b.Property(c => c.ExpiresAt).HasColumnName("expires_at");
            b.Property(c => c.MessageSeqs).HasColumnName("message_seqs").HasDefaultValueSql("'{}'::bigint[]");
            b.HasOne(c => c.Queue).WithMany().HasForeignKey(c => c.QueueId).OnDelete(DeleteBehavior.Cascade)
                .HasConstraintName("fk_claims_queues");
            b.HasIndex(c => c.QueueId).HasDatabaseName("ix_claims_queue_id");
            b.HasIndex(c => c.ExpiresAt).HasDatabaseName("ix_claims_expires_at");
        });

        SubscriptionModel.Configure(modelBuilder);
        PoolModel.Configure(modelBuilder);
        Zaqar.Data.Presence.PresenceModel.Configure(modelBuilder);
    }
}
