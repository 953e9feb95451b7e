//! The seed's `ecommerce-platform`, in DCAF's builder (the page includes this listing).

use crate::app::{App, Cache, Cdn, Database, Email, Eviction, Queue, Size, Storage};
use crate::app::{days, gib, hours, minutes};

/// The seed's app: a database, a cache, image storage behind a CDN, email and a job queue.
pub fn ecommerce_platform() -> App {
    // ANCHOR: app
    App::new("ecommerce-platform")
        .environment("production")
        .region("us-east-1")
        // 1. Database: PostgreSQL, 100 GiB growing to 500,
        //    7 days of backups, Multi-AZ.
        .add_database(
            Database::postgres("products-db", "14.19")
                .size(Size::Medium)
                .storage(gib(100), gib(500))
                .backup_retention_days(7)
                .multi_az(true),
        )
        // 2. Cache: Redis, evicting the least recently used key when full.
        .add_cache(
            Cache::redis("session-cache", "7.0")
                .size(Size::Small)
                .eviction(Eviction::AllKeysLru),
        )
        // 3. Storage: private (the default), versioned,
        //    archived at 90 days, gone at 365.
        .add_storage(
            Storage::new("images")
                .versioning(true)
                .archive_after(days(90))
                .delete_after(days(365)),
        )
        // 4. CDN in front of the images: 1 h default TTL,
        //    24 h max, compressed, HTTPS.
        .add_cdn(
            Cdn::for_storage("images")
                .ttl(hours(1), hours(24))
                .compression(true)
                .https(true),
        )
        // 5. Email from a DKIM-verified domain.
        .add_email(Email::from_domain("ecommerce.com"))
        // 6. Background jobs: 3 retries, 5 minutes per attempt.
        .add_queue(Queue::new("orders").retries(3).timeout(minutes(5)))
    // 7. Monitoring needs no line: log groups, alarms and a
    //    dashboard come with the parts.
    // ANCHOR_END: app
}
