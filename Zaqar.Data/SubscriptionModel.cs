using Microsoft.EntityFrameworkCore;
using Zaqar.Data.Entities;

namespace Zaqar.Data;

/// <summary>The EF Core model of subscriptions and the notification outbox (issue #4).</summary>
internal static class SubscriptionModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SubscriptionEntity>(b =>
        {
            b.ToTable("subscriptions");
            b.HasKey(s => s.Id).HasName("pk_subscriptions");
            b.Property(s => s.Id).HasColumnName("id").ValueGeneratedNever();
            b.Property(s => s.Project).HasColumnName("project").HasMaxLength(256);
            b.Property(s => s.Kind).HasColumnName("kind").HasConversion<short>();
            b.Property(s => s.QueueName).HasColumnName("queue_name").HasMaxLength(64);
            b.Property(s => s.Subscriber).HasColumnName("subscriber");
            b.Property(s => s.SubscriberType).HasColumnName("subscriber_type").HasConversion<short>();
            b.Property(s => s.Ttl).HasColumnName("ttl");
            b.Property(s => s.Options).HasColumnName("options").HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            b.Property(s => s.Confirmed).HasColumnName("confirmed").HasDefaultValue(false);
            b.Property(s => s.CreatedAt).HasColumnName("created_at");
            b.Property(s => s.ExpiresAt).HasColumnName("expires_at");
            b.Property(s => s.DeliveredCount).HasColumnName("delivered_count").HasDefaultValue(0L);
            b.Property(s => s.FailedCount).HasColumnName("failed_count").HasDefaultValue(0L);
            b.Property(s => s.LastError).HasColumnName("last_error");
            b.Property(s => s.LastErrorAt).HasColumnName("last_error_at");
            b.Property(s => s.LastDeliveredAt).HasColumnName("last_delivered_at");
            // The duplicate-subscriber rule; its prefix serves the post statement's lookup of a source's subscribers.
            b.HasIndex(s => new { s.Project, s.Kind, s.QueueName, s.Subscriber }).IsUnique()
                .HasDatabaseName("ux_subscriptions_source_subscriber");
            // Listing a source's subscriptions in id order after a marker.
            b.HasIndex(s => new { s.Project, s.Kind, s.QueueName, s.Id }).HasDatabaseName("ix_subscriptions_source_id");
            // The sweep of expired subscriptions.
            b.HasIndex(s => s.ExpiresAt).HasDatabaseName("ix_subscriptions_expires_at");
        });

        modelBuilder.Entity<NotificationEntity>(b =>
        {
            b.ToTable("notifications");
            b.HasKey(n => n.Id).HasName("pk_notifications");
            b.Property(n => n.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            b.Property(n => n.SubscriptionId).HasColumnName("subscription_id");
            b.Property(n => n.Kind).HasColumnName("kind").HasConversion<short>();
            b.Property(n => n.MessageId).HasColumnName("message_id");
            b.Property(n => n.Body).HasColumnName("body").HasColumnType("json");
            b.Property(n => n.Encrypted).HasColumnName("encrypted").HasDefaultValue(false);
            b.Property(n => n.Ttl).HasColumnName("ttl");
            b.Property(n => n.Delay).HasColumnName("delay");
            b.Property(n => n.CreatedAt).HasColumnName("created_at");
            b.Property(n => n.DueAt).HasColumnName("due_at");
            b.Property(n => n.Attempts).HasColumnName("attempts").HasDefaultValue(0);
            b.Property(n => n.Lease).HasColumnName("lease");
            b.Property(n => n.LastError).HasColumnName("last_error");
            // A deleted (or swept) subscription takes its pending notifications with it.
            b.HasOne(n => n.Subscription).WithMany().HasForeignKey(n => n.SubscriptionId).OnDelete(DeleteBehavior.Cascade)
                .HasConstraintName("fk_notifications_subscriptions");
            // Dispatchers claim due rows in due order.
            b.HasIndex(n => n.DueAt).HasDatabaseName("ix_notifications_due_at");
            // The cascade from subscriptions, and a subscription's pending count.
            b.HasIndex(n => n.SubscriptionId).HasDatabaseName("ix_notifications_subscription_id");
        });
    }
}
