//! Prometheus metrics (`/metrics`, OpenMetrics text): queue depth, job latency split into time
//! queued and time running, proofs per statement and backend, failures, gateway decisions and
//! nullifier rejections.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// A job kind.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    /// `preview`, `audit-report`, ...
    pub kind: String,
}

/// A job kind and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    /// The job kind.
    pub kind: String,
    /// `failed`, `timed_out`, `cancelled`, `retried`.
    pub outcome: String,
}

/// A statement and a backend.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProofLabel {
    /// The statement.
    pub statement: String,
    /// The proving backend.
    pub backend: String,
}

/// A queue state.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabel {
    /// `queued` or `running`.
    pub state: String,
}

/// A decision (`accepted`, `refused`, ...).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VerdictLabel {
    /// What was decided.
    pub verdict: String,
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    /// Jobs by queue state (set from the store on every scrape).
    pub queue_depth: Family<StateLabel, Gauge>,
    /// Seconds from submission to a worker's claim.
    pub job_queued_seconds: Family<KindLabel, Histogram>,
    /// Seconds a worker spent on a job's attempt.
    pub job_running_seconds: Family<KindLabel, Histogram>,
    /// Jobs this process's workers are running now (the queue's depth is the whole
    /// deployment's).
    pub jobs_running_here: Gauge,
    /// Proofs made.
    pub proofs: Family<ProofLabel, Counter>,
    /// Jobs that did not succeed (and retried attempts).
    pub job_failures: Family<OutcomeLabel, Counter>,
    /// Gateway call checks by decision.
    pub gateway_checks: Family<VerdictLabel, Counter>,
    /// Calls refused because their nullifier was already spent.
    pub nullifier_rejections: Counter,
    /// Verifications by decision.
    pub verifications: Family<VerdictLabel, Counter>,
    /// Keys in the params folder from a single-party setup (set on every scrape).
    pub keys_insecure: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let latency = || Histogram::new(exponential_buckets(0.01, 2.0, 18));
        let m = Metrics {
            registry: Registry::with_prefix("veil"),
            queue_depth: Family::default(),
            job_queued_seconds: Family::new_with_constructor(latency),
            job_running_seconds: Family::new_with_constructor(latency),
            jobs_running_here: Gauge::default(),
            proofs: Family::default(),
            job_failures: Family::default(),
            gateway_checks: Family::default(),
            nullifier_rejections: Counter::default(),
            verifications: Family::default(),
            keys_insecure: Gauge::default(),
        };
        let mut m = m;
        let r = &mut m.registry;
        r.register("queue_depth", "Jobs by queue state", m.queue_depth.clone());
        r.register(
            "job_queued_seconds",
            "Seconds from a job's submission to a worker's claim",
            m.job_queued_seconds.clone(),
        );
        r.register(
            "job_running_seconds",
            "Seconds a worker spent on one attempt at a job",
            m.job_running_seconds.clone(),
        );
        r.register(
            "jobs_running_here",
            "Jobs this node's workers are running now",
            m.jobs_running_here.clone(),
        );
        r.register(
            "proofs",
            "Proofs made, by statement and backend",
            m.proofs.clone(),
        );
        r.register(
            "job_failures",
            "Jobs that failed, timed out or were cancelled, and retried attempts",
            m.job_failures.clone(),
        );
        r.register(
            "gateway_checks",
            "Metered calls checked by the gateway, by decision",
            m.gateway_checks.clone(),
        );
        r.register(
            "nullifier_rejections",
            "Calls refused because their nullifier was already spent",
            m.nullifier_rejections.clone(),
        );
        r.register(
            "keys_insecure",
            "Keys (and halo2 parameters) in the params folder from a single-party setup, whose maker can forge proofs",
            m.keys_insecure.clone(),
        );
        r.register(
            "verifications",
            "Proofs verified through /v1/verify, by decision",
            m.verifications.clone(),
        );
        m
    }
}

impl Metrics {
    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Counts one job outcome that is not a success.
    pub fn failure(&self, kind: &str, outcome: &str) {
        self.job_failures
            .get_or_create(&OutcomeLabel {
                kind: kind.into(),
                outcome: outcome.into(),
            })
            .inc();
    }

    /// Counts a decision in a verdict family.
    pub fn verdict(family: &Family<VerdictLabel, Counter>, verdict: &str) {
        family
            .get_or_create(&VerdictLabel {
                verdict: verdict.into(),
            })
            .inc();
    }
}
