//! The developer-facing builder: an [`App`] and its components, with secure defaults.
//!
//! Every setting has a safe default; the ones that weaken security or availability are
//! *opt-outs* — explicit method calls that the plan lists and the template records.

use std::time::Duration;

use crate::graph::Resource;

/// Instance sizes, mapped to burstable classes (`db.t3.medium`, `cache.t3.small`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// `t3.small`
    Small,
    /// `t3.medium`
    Medium,
    /// `t3.large`
    Large,
    /// `t3.xlarge`
    XLarge,
}

impl Size {
    /// The size suffix AWS uses (`medium`).
    pub fn suffix(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
            Size::XLarge => "xlarge",
        }
    }
}

/// Gibibytes of storage (`gib(100)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gib(pub u32);

/// `n` GiB.
pub fn gib(n: u32) -> Gib {
    Gib(n)
}
/// `n` days.
pub fn days(n: u64) -> Duration {
    Duration::from_secs(n * 86_400)
}
/// `n` hours.
pub fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 3_600)
}
/// `n` minutes.
pub fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// A database engine and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// PostgreSQL, with its version (`"14.7"`).
    Postgres(String),
    /// MySQL, with its version.
    MySql(String),
}

impl Engine {
    /// The RDS `Engine` value.
    pub fn rds_name(&self) -> &'static str {
        match self {
            Engine::Postgres(_) => "postgres",
            Engine::MySql(_) => "mysql",
        }
    }
    /// The version string.
    pub fn version(&self) -> &str {
        match self {
            Engine::Postgres(v) | Engine::MySql(v) => v,
        }
    }
    /// The TCP port.
    pub fn port(&self) -> u16 {
        match self {
            Engine::Postgres(_) => 5432,
            Engine::MySql(_) => 3306,
        }
    }
    /// The log type exported to CloudWatch Logs.
    pub fn log_export(&self) -> &'static str {
        match self {
            Engine::Postgres(_) => "postgresql",
            Engine::MySql(_) => "error",
        }
    }
}

/// A relational database (RDS), multi-AZ and encrypted unless told otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    pub(crate) name: String,
    pub(crate) engine: Engine,
    pub(crate) size: Size,
    pub(crate) storage: Gib,
    pub(crate) max_storage: Option<Gib>,
    pub(crate) backup_retention_days: u32,
    pub(crate) multi_az: bool,
}

impl Database {
    /// A PostgreSQL database called `name` (the seed's `addDatabase('postgres', …)`).
    pub fn postgres(name: &str, version: &str) -> Self {
        Database {
            name: name.to_string(),
            engine: Engine::Postgres(version.to_string()),
            size: Size::Medium,
            storage: Gib(20),
            max_storage: None,
            backup_retention_days: 7,
            multi_az: true,
        }
    }
    /// Change the engine (replaces the database: see [`crate::diff`]).
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }
    /// Instance size.
    pub fn size(mut self, size: Size) -> Self {
        self.size = size;
        self
    }
    /// Allocated storage, and the ceiling storage autoscaling may grow to.
    pub fn storage(mut self, start: Gib, auto_grow_to: Gib) -> Self {
        self.storage = start;
        self.max_storage = Some(auto_grow_to);
        self
    }
    /// Keep automated backups for `days` (1–35). `0` disables backups: an opt-out.
    pub fn backup_retention_days(mut self, days: u32) -> Self {
        self.backup_retention_days = days;
        self
    }
    /// Multi-AZ standby (default on). `multi_az(false)` is an opt-out.
    pub fn multi_az(mut self, on: bool) -> Self {
        self.multi_az = on;
        self
    }
}

/// Which keys Redis evicts when memory is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// Least recently used among *all* keys (`allkeys-lru`) — what "lru" means for a cache.
    AllKeysLru,
    /// Least recently used among keys with a TTL (`volatile-lru`, ElastiCache's default).
    VolatileLru,
    /// Refuse writes when full (`noeviction`).
    NoEviction,
}

impl Eviction {
    /// The `maxmemory-policy` value.
    pub fn policy(self) -> &'static str {
        match self {
            Eviction::AllKeysLru => "allkeys-lru",
            Eviction::VolatileLru => "volatile-lru",
            Eviction::NoEviction => "noeviction",
        }
    }
}

/// A Redis cache (ElastiCache replication group), encrypted at rest and in transit.
#[derive(Debug, Clone, PartialEq)]
pub struct Cache {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) size: Size,
    pub(crate) eviction: Eviction,
}

impl Cache {
    /// A Redis cache called `name` with engine `version` (`"7.0"`).
    pub fn redis(name: &str, version: &str) -> Self {
        Cache {
            name: name.to_string(),
            version: version.to_string(),
            size: Size::Small,
            eviction: Eviction::VolatileLru,
        }
    }
    /// Node size.
    pub fn size(mut self, size: Size) -> Self {
        self.size = size;
        self
    }
    /// Eviction policy.
    pub fn eviction(mut self, eviction: Eviction) -> Self {
        self.eviction = eviction;
        self
    }
}

/// Object storage (S3): private, versioned, encrypted, TLS-only unless told otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    pub(crate) name: String,
    pub(crate) bucket_name: Option<String>,
    pub(crate) public: bool,
    pub(crate) versioning: bool,
    pub(crate) archive_after: Option<Duration>,
    pub(crate) delete_after: Option<Duration>,
}

impl Storage {
    /// A bucket for `name` (`images`).
    pub fn new(name: &str) -> Self {
        Storage {
            name: name.to_string(),
            bucket_name: None,
            public: false,
            versioning: true,
            archive_after: None,
            delete_after: None,
        }
    }
    /// Fix the bucket's global name (default: `<app>-<name>-<account>-<region>`).
    pub fn bucket_name(mut self, name: &str) -> Self {
        self.bucket_name = Some(name.to_string());
        self
    }
    /// Make the bucket world-readable: an opt-out (Block Public Access off).
    pub fn public(mut self, on: bool) -> Self {
        self.public = on;
        self
    }
    /// Versioning (default on). `versioning(false)` is an opt-out.
    pub fn versioning(mut self, on: bool) -> Self {
        self.versioning = on;
        self
    }
    /// Move objects to the archive tier (Glacier Flexible Retrieval) after this age.
    pub fn archive_after(mut self, age: Duration) -> Self {
        self.archive_after = Some(age);
        self
    }
    /// Delete objects (and noncurrent versions) after this age.
    pub fn delete_after(mut self, age: Duration) -> Self {
        self.delete_after = Some(age);
        self
    }
}

/// A CDN (CloudFront) in front of a storage component, HTTPS-only unless told otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Cdn {
    pub(crate) origin: String,
    pub(crate) default_ttl: Duration,
    pub(crate) max_ttl: Duration,
    pub(crate) compression: bool,
    pub(crate) https_only: bool,
}

impl Cdn {
    /// A distribution whose origin is the storage component named `origin`.
    pub fn for_storage(origin: &str) -> Self {
        Cdn {
            origin: origin.to_string(),
            default_ttl: hours(24),
            max_ttl: days(365),
            compression: true,
            https_only: true,
        }
    }
    /// Default and maximum cache lifetimes.
    pub fn ttl(mut self, default: Duration, max: Duration) -> Self {
        self.default_ttl = default;
        self.max_ttl = max;
        self
    }
    /// Gzip/Brotli compression (default on).
    pub fn compression(mut self, on: bool) -> Self {
        self.compression = on;
        self
    }
    /// Redirect HTTP to HTTPS (default on). `https(false)` is an opt-out.
    pub fn https(mut self, on: bool) -> Self {
        self.https_only = on;
        self
    }
}

/// Outgoing email (SES) from a verified domain with DKIM.
#[derive(Debug, Clone, PartialEq)]
pub struct Email {
    pub(crate) domain: String,
}

impl Email {
    /// Send from `domain` (the identity is verified through DKIM DNS records).
    pub fn from_domain(domain: &str) -> Self {
        Email {
            domain: domain.to_string(),
        }
    }
}

/// A job queue (SQS) with a dead-letter queue, encrypted with its own KMS key.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    pub(crate) name: String,
    pub(crate) retries: u32,
    pub(crate) timeout: Duration,
}

impl Queue {
    /// A queue called `name`.
    pub fn new(name: &str) -> Self {
        Queue {
            name: name.to_string(),
            retries: 3,
            timeout: Duration::from_secs(30),
        }
    }
    /// How many times a failed job is retried before it goes to the dead-letter queue.
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }
    /// How long a worker may hold a job before it becomes visible again.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }
}

/// An application: its name, environment, region and components.
#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub(crate) name: String,
    pub(crate) environment: String,
    pub(crate) region: String,
    pub(crate) nat_gateways: u8,
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) databases: Vec<Database>,
    pub(crate) caches: Vec<Cache>,
    pub(crate) storages: Vec<Storage>,
    pub(crate) cdns: Vec<Cdn>,
    pub(crate) emails: Vec<Email>,
    pub(crate) queues: Vec<Queue>,
    pub(crate) raw: Vec<Resource>,
}

impl App {
    /// A new app (`ecommerce-platform`), environment `production`, region `us-east-1`.
    pub fn new(name: &str) -> Self {
        App {
            name: name.to_string(),
            environment: "production".into(),
            region: "us-east-1".into(),
            nat_gateways: 3,
            tags: Vec::new(),
            databases: Vec::new(),
            caches: Vec::new(),
            storages: Vec::new(),
            cdns: Vec::new(),
            emails: Vec::new(),
            queues: Vec::new(),
            raw: Vec::new(),
        }
    }
    /// The environment tag (`production`).
    pub fn environment(mut self, env: &str) -> Self {
        self.environment = env.to_string();
        self
    }
    /// The region the template is meant for (recorded; CloudFormation deploys per region).
    pub fn region(mut self, region: &str) -> Self {
        self.region = region.to_string();
        self
    }
    /// One NAT gateway per AZ (default 3). Fewer saves money and is an opt-out:
    /// an AZ outage then cuts the private subnets of the other AZs off the internet.
    pub fn nat_gateways(mut self, n: u8) -> Self {
        self.nat_gateways = n;
        self
    }
    /// An extra tag on every taggable resource (e.g. a `CostCenter` for cost allocation).
    pub fn tag(mut self, key: &str, value: &str) -> Self {
        self.tags.push((key.to_string(), value.to_string()));
        self
    }
    /// Add a database.
    pub fn add_database(mut self, db: Database) -> Self {
        self.databases.push(db);
        self
    }
    /// Add a cache.
    pub fn add_cache(mut self, cache: Cache) -> Self {
        self.caches.push(cache);
        self
    }
    /// Add object storage.
    pub fn add_storage(mut self, storage: Storage) -> Self {
        self.storages.push(storage);
        self
    }
    /// Add a CDN in front of a storage component.
    pub fn add_cdn(mut self, cdn: Cdn) -> Self {
        self.cdns.push(cdn);
        self
    }
    /// Add an email sending identity.
    pub fn add_email(mut self, email: Email) -> Self {
        self.emails.push(email);
        self
    }
    /// Add a job queue.
    pub fn add_queue(mut self, queue: Queue) -> Self {
        self.queues.push(queue);
        self
    }
    /// Add a raw CloudFormation resource (an "L1" escape hatch, like CDK's `CfnResource`).
    /// It is checked with everything else: a dangling reference or a cycle fails `synth`.
    pub fn add_resource(mut self, resource: Resource) -> Self {
        self.raw.push(resource);
        self
    }
    /// The app's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}
