//! Proof jobs: what each kind asks for, who may ask, what is checked before it is queued (so a
//! bad request is a 4xx at once, not a failed job later), and how a worker runs it through the
//! engine. Results are the same files the command line writes (`preview.json`, a report, a tier
//! proof with its opening), as JSON.

pub mod worker;

use crate::auth::Role;
use crate::error::{Result, ServiceError};
use crate::state::Shared;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use utoipa::ToSchema;
use veil_engine::audit::ReportRequest;
use veil_engine::bench::{BenchCase, BenchPlan};
use veil_engine::circuits::statements::Shape as _;
use veil_engine::circuits::statements::{dispute, preview, totals, usage};
use veil_engine::dataset::ReadOptions;
use veil_engine::ledger::ServiceStore;
use veil_engine::meter::TierRequest;
use veil_engine::preview::PreviewRequest;
use veil_engine::registry::Registry;
use veil_engine::{EngineError, Progress};

/// Declares a one-value enum naming a job kind: each job's `kind` field, so that every kind's
/// schema stands alone (`kind` and its fields, nothing else).
macro_rules! kind_tag {
    ($name:ident, $value:literal) => {
        #[doc = concat!("`\"", $value, "\"`.")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            #[doc = concat!("`\"", $value, "\"`.")]
            #[serde(rename = $value)]
            Tag,
        }
    };
}
kind_tag!(PreviewKind, "preview");
kind_tag!(ReportKind, "audit-report");
// A literal (serde attributes take no constants); the integration test
// `jobs::the_tier_kind_is_the_statement_name` checks it.
kind_tag!(TierKind, "usage-tier");
kind_tag!(BenchmarkKind, "benchmark");
// The statement's name, checked like the tier's.
kind_tag!(DisputeKind, "delivery-dispute");

/// A buyer's dispute about a delivery this service holds (buyer): the listing's ciphertext,
/// decrypted with the key settlement released, and one record proved inconsistent. The key
/// goes to the node that proves: run it on a node trusted with the dataset (the buyer's own
/// `veil serve`, or the seller's, which holds the dataset anyway).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeJob {
    /// `delivery-dispute`.
    pub kind: DisputeKind,
    /// The listing whose ciphertext (`POST /v1/listings/{id}/ciphertext`) was delivered.
    pub listing_id: String,
    /// The dataset key file (`kind: dataset-key`) the key note released.
    #[schema(value_type = Object)]
    pub key: serde_json::Value,
    /// The record to dispute; the first inconsistent one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// The proof system [default: groth16].
    #[serde(default)]
    pub backend: ProofBackend,
    /// A URL to POST the job to (as `GET /v1/jobs/{id}` shows it) when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
}

impl DisputeJob {
    /// The listing, its ciphertext on this node, and the key checked against it.
    fn resolve(
        &self,
        shared: &Shared,
    ) -> Result<(veil_engine::circuits::dataset::Listing, PathBuf, String)> {
        let bad = |m: String| ServiceError::Unprocessable(m);
        let record = registered(&*shared.store, &self.listing_id)?;
        let listing = listing_of(&record.listing)?;
        let Some(root) = listing.ciphertext_root.as_deref() else {
            return Err(bad(format!(
                "listing {:?} names no ciphertext: there is no delivery to dispute",
                self.listing_id
            )));
        };
        let ciphertext = shared.config.ciphertext_path(&self.listing_id, root);
        if !ciphertext.is_file() {
            return Err(bad(format!(
                "this node does not hold the ciphertext of listing {:?} (root E {root})",
                self.listing_id
            )));
        }
        let key_text = self.key.to_string();
        let key =
            veil_engine::circuits::dataset::keys::load_dataset_key(&key_text, &listing.dataset_id)
                .map_err(|e| bad(format!("field `key`: {e}")))?;
        listing
            .check_key(&key)
            .map_err(|e| bad(format!("field `key`: {e}")))?;
        Ok((listing, ciphertext, key_text))
    }
}

/// A preview of a registered listing's dataset (seller).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewJob {
    /// `preview`.
    pub kind: PreviewKind,
    /// The listing (registered with the dataset's path on this service).
    pub listing_id: String,
    /// The buyer's challenge, hex (at most 32 bytes).
    pub challenge: String,
    /// Sampled rows.
    pub samples: usize,
    /// Names of the columns to reveal.
    #[serde(default)]
    pub reveal: Vec<String>,
    /// The proof system [default: groth16].
    #[serde(default)]
    pub backend: ProofBackend,
    /// A URL to POST the job to (as `GET /v1/jobs/{id}` shows it) when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
}

/// The proof system a proving job uses: Groth16 (keys per shape, `veil setup`) or halo2
/// (universal KZG parameters, `veil setup --backend halo2`), from the service's params folder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProofBackend {
    /// Groth16 over BN254.
    #[default]
    Groth16,
    /// halo2 with KZG over BN254.
    Halo2,
}

impl From<ProofBackend> for veil_engine::BackendKind {
    fn from(b: ProofBackend) -> Self {
        match b {
            ProofBackend::Groth16 => veil_engine::BackendKind::Groth16,
            ProofBackend::Halo2 => veil_engine::BackendKind::Halo2,
        }
    }
}

/// A period report of one seller over the ledger (auditor).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportJob {
    /// `audit-report`.
    pub kind: ReportKind,
    /// The seller id.
    pub seller: u64,
    /// Period start, Unix seconds (inclusive).
    pub from: u64,
    /// Period end, Unix seconds (exclusive).
    pub to: u64,
    /// Receipts per batch proof (a power of two; keys must exist for it).
    pub batch: usize,
    /// Price band edges, increasing.
    pub edges: Vec<u64>,
    /// The proof system [default: groth16]: Groth16 gives one proof per batch (the chain the
    /// auditor checks); halo2 folds the batches into one proof of the period's totals (at most
    /// 8 batches; minutes and ~10 GB of memory).
    #[serde(default)]
    pub backend: ProofBackend,
    /// A URL to POST the job to (as `GET /v1/jobs/{id}` shows it) when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
}

impl ReportJob {
    /// The engine's request.
    pub fn request(&self) -> ReportRequest {
        ReportRequest {
            seller: self.seller,
            from: self.from,
            to: self.to,
            batch: self.batch,
            edges: self.edges.clone(),
        }
    }
}

/// A usage-tier proof for a closed epoch of a listing (gateway).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierJob {
    /// `usage-tier`.
    pub kind: TierKind,
    /// The metered listing's id.
    pub listing_id: String,
    /// The closed epoch.
    #[schema(maximum = 4294967295_u64)]
    pub epoch: u64,
    /// Tier lower bound (inclusive).
    pub lo: u64,
    /// Tier upper bound (exclusive).
    pub hi: u64,
    /// The proof system [default: groth16].
    #[serde(default)]
    pub backend: ProofBackend,
    /// A URL to POST the job to (as `GET /v1/jobs/{id}` shows it) when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
}

/// One statement at one size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenchCaseBody {
    /// The statement (its names and sizes are the registry's: the document lists them, see
    /// [`crate::openapi::document`]).
    #[serde(deserialize_with = "registered_statement")]
    pub statement: String,
    /// Its size (see the statement); its default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1024)]
    pub size: Option<usize>,
}

/// A statement name of the standard registry; another is refused as serde refuses an unknown
/// variant (a 400, as when the names were an enum).
fn registered_statement<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| Registry::standard().names());
    let name = String::deserialize(d)?;
    match names.contains(&name.as_str()) {
        true => Ok(name),
        false => Err(serde::de::Error::unknown_variant(&name, names)),
    }
}

/// Veil's prover measured against arkworks' stock prover on generated witnesses, as
/// `veil bench` does (researcher). Keys come from an insecure in-memory setup.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkJob {
    /// `benchmark`.
    pub kind: BenchmarkKind,
    /// The cases, in order.
    #[schema(min_items = 1, max_items = 16)]
    pub cases: Vec<BenchCaseBody>,
    /// Proofs per prover and case (the median is reported).
    #[serde(default = "default_runs")]
    #[schema(minimum = 1, maximum = 100)]
    pub runs: usize,
    /// Also measure arkworks' stock prover.
    #[serde(default = "yes")]
    pub stock: bool,
    /// Also measure throughput (one proof per thread, all at once).
    #[serde(default = "yes")]
    pub throughput: bool,
    /// Threads to prove on; the worker's pool when absent (all cores when the queue is short,
    /// one when it is long).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 256)]
    pub threads: Option<usize>,
    /// Also verify this many proofs of each case one by one and as one batch (0: skip).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub batch_verify: usize,
    /// Also prove each case's Noir twin with Barretenberg's UltraHonk (an insecure
    /// development CRS made for the job; needs bb on the worker).
    #[serde(default)]
    pub bb: bool,
    /// Also prove each case under the halo2 backend (insecure universal parameters made for
    /// the job).
    #[serde(default)]
    pub halo2: bool,
    /// A URL to POST the job to (as `GET /v1/jobs/{id}` shows it) when it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
}

fn default_runs() -> usize {
    3
}

fn yes() -> bool {
    true
}

impl BenchmarkJob {
    /// The engine's plan.
    pub fn plan(&self) -> BenchPlan {
        BenchPlan {
            cases: self
                .cases
                .iter()
                .map(|c| BenchCase {
                    statement: c.statement.clone(),
                    size: c.size,
                })
                .collect(),
            runs: self.runs,
            stock: self.stock,
            throughput: self.throughput,
            batch_verify: self.batch_verify,
            bb: self.bb,
            precompute_mib: veil_engine::bench::DEFAULT_PRECOMPUTE_MIB,
            snarkjs: false,
            halo2: self.halo2,
            aggregate: 0,
            threads: self.threads,
        }
    }
}

/// A job to submit: its `kind` and that kind's fields.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum JobRequest {
    /// A preview proof (`preview.json`).
    Preview(PreviewJob),
    /// A period report (`report.json`).
    AuditReport(ReportJob),
    /// A usage-tier proof and its opening.
    UsageTier(TierJob),
    /// A benchmark report (`veil bench --json`).
    Benchmark(BenchmarkJob),
    /// A buyer's delivery dispute (`dispute.json`).
    Dispute(DisputeJob),
}

impl<'de> Deserialize<'de> for JobRequest {
    /// By `kind`, so that a mistake is named (an unknown kind, or the field of that kind that
    /// is missing, unknown or of the wrong type).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_json::Value::deserialize(d)?;
        let kind = v.get("kind").cloned();
        let parsed = match kind.as_ref().and_then(|k| k.as_str()) {
            Some("preview") => serde_json::from_value(v).map(JobRequest::Preview),
            Some("audit-report") => serde_json::from_value(v).map(JobRequest::AuditReport),
            Some(usage::TIER) => serde_json::from_value(v).map(JobRequest::UsageTier),
            Some("benchmark") => serde_json::from_value(v).map(JobRequest::Benchmark),
            Some(dispute::NAME) => serde_json::from_value(v).map(JobRequest::Dispute),
            _ => {
                return Err(D::Error::custom(format!(
                    "`kind` must be one of preview, audit-report, usage-tier, benchmark, \
                     delivery-dispute (got {})",
                    kind.map_or_else(|| "none".into(), |k| k.to_string())
                )))
            }
        };
        parsed.map_err(D::Error::custom)
    }
}

impl JobRequest {
    /// The kind's name.
    pub fn kind(&self) -> &'static str {
        match self {
            JobRequest::Preview(_) => "preview",
            JobRequest::AuditReport(_) => "audit-report",
            JobRequest::UsageTier(_) => usage::TIER,
            JobRequest::Benchmark(_) => "benchmark",
            JobRequest::Dispute(_) => dispute::NAME,
        }
    }

    /// Where to announce the job's end, if anywhere.
    pub fn webhook(&self) -> Option<&str> {
        match self {
            JobRequest::Preview(j) => j.webhook.as_deref(),
            JobRequest::AuditReport(j) => j.webhook.as_deref(),
            JobRequest::UsageTier(j) => j.webhook.as_deref(),
            JobRequest::Benchmark(j) => j.webhook.as_deref(),
            JobRequest::Dispute(j) => j.webhook.as_deref(),
        }
    }

    /// Who may submit it.
    pub fn roles(&self) -> &'static [Role] {
        match self {
            JobRequest::Preview(_) => &[Role::Seller],
            JobRequest::AuditReport(_) => &[Role::Auditor],
            JobRequest::UsageTier(_) => &[Role::Gateway],
            JobRequest::Benchmark(_) => &[Role::Researcher],
            JobRequest::Dispute(_) => &[Role::Buyer],
        }
    }

    /// The statement it proves (for metrics).
    pub fn statement(&self) -> &'static str {
        match self {
            JobRequest::Preview(_) => preview::NAME,
            JobRequest::AuditReport(_) => totals::NAME,
            JobRequest::UsageTier(_) => usage::TIER,
            JobRequest::Benchmark(_) => "benchmark",
            JobRequest::Dispute(_) => dispute::NAME,
        }
    }

    /// Checks what can be checked before queueing: the listing exists and is the caller's,
    /// the shape is valid and its keys exist, the epoch is closed.
    pub fn check(&self, shared: &Shared, owner: &str) -> Result<()> {
        let store = &*shared.store;
        let params = &shared.config.params;
        let bad = |m: String| Err(ServiceError::Unprocessable(m));
        if let Some(url) = self.webhook() {
            let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
            if !scheme_ok || url.len() > 2048 || url.chars().any(char::is_whitespace) {
                return bad(format!(
                    "webhook {url:?} is not an http:// or https:// URL (at most 2048 characters)"
                ));
            }
        }
        match self {
            JobRequest::Preview(p) => {
                let Some(secret) = &shared.config.seller_secret else {
                    return bad("this service proves no previews: it was started without \
                         --seller-secret (a seller runs previews on its own service, beside its \
                         data)"
                        .into());
                };
                if !secret.is_file() {
                    return Err(ServiceError::Internal(format!(
                        "the seller secret {} is missing",
                        secret.display()
                    )));
                }
                let record = registered(store, &p.listing_id)?;
                if record.owner != owner {
                    return Err(ServiceError::Forbidden(format!(
                        "listing {:?} was registered by another token",
                        p.listing_id
                    )));
                }
                if record.dataset.is_none() {
                    return bad(format!(
                        "listing {:?} was registered without a dataset path, so it cannot be \
                         previewed here",
                        p.listing_id
                    ));
                }
                let listing = listing_of(&record.listing)?;
                let shape =
                    veil_engine::preview::validate(&listing, p.samples, &p.reveal, &p.challenge)?;
                keys_exist(params, &shape.id(), p.backend, 0)
            }
            JobRequest::AuditReport(r) => {
                let shape = r.request().validate()?;
                // A fold runs at 2^aggregate::K rows whatever the batch size.
                keys_exist(
                    params,
                    &shape.id(),
                    r.backend,
                    veil_engine::aggregate::FOLD_K,
                )
            }
            JobRequest::UsageTier(t) => {
                if t.lo >= t.hi {
                    return bad(format!("the tier [{}, {}) is empty", t.lo, t.hi));
                }
                let listing = veil_engine::meter::listing_value(&t.listing_id);
                if store.epoch_usage(listing, t.epoch)?.is_none() {
                    return bad(format!(
                        "epoch {} of {:?} is still open: close it first (POST /v1/gateway/epochs/close)",
                        t.epoch, t.listing_id
                    ));
                }
                keys_exist(
                    params,
                    &veil_engine::verifier::usage::tier_key(),
                    t.backend,
                    0,
                )
            }
            JobRequest::Benchmark(b) => {
                if b.cases.len() > MAX_BENCH_CASES {
                    return bad(format!(
                        "a benchmark job takes at most {MAX_BENCH_CASES} cases, not {}",
                        b.cases.len()
                    ));
                }
                Ok(b.plan().validate()?)
            }
            JobRequest::Dispute(d) => {
                let (_, ciphertext, _) = d.resolve(shared)?;
                let header = veil_engine::files::open_ciphertext(&ciphertext)
                    .map_err(ServiceError::from)
                    .and_then(|input| {
                        veil_engine::circuits::dataset::encrypted::CiphertextReader::new(input)
                            .map_err(|e| {
                                ServiceError::Internal(format!("the held ciphertext: {e}"))
                            })
                    })?
                    .header;
                let shape = veil_engine::circuits::statements::DisputeShape {
                    elements: header.record_elements,
                };
                keys_exist(params, &shape.id(), d.backend, 0)
            }
        }
    }

    /// Runs the job through the engine in `dir` (its working folder); returns its result JSON.
    pub fn run(
        &self,
        shared: &Shared,
        dir: &Path,
        progress: &Arc<dyn Progress>,
    ) -> std::result::Result<String, EngineError> {
        let store: &dyn ServiceStore = &*shared.store;
        let params = Some(shared.config.params.clone());
        let out = dir.join("out.json");
        match self {
            JobRequest::Preview(p) => {
                let record = store.listing(&p.listing_id)?.ok_or_else(|| {
                    EngineError::Refused(format!("listing {:?} is gone", p.listing_id))
                })?;
                let listing = veil_engine::circuits::dataset::Listing::from_json(&record.listing)?;
                // Bound to the listing's ciphertext when this node holds it (shared storage
                // across api and worker nodes: docs/deploy.md).
                let ciphertext = listing
                    .ciphertext_root
                    .as_deref()
                    .map(|root| shared.config.ciphertext_path(&p.listing_id, root))
                    .filter(|path| path.is_file());
                let req = PreviewRequest {
                    dataset: record.dataset.unwrap_or_default().into(),
                    secret_file: shared.config.seller_secret.clone().unwrap_or_default(),
                    listing: PathBuf::new(),
                    challenge: p.challenge.clone(),
                    samples: p.samples,
                    reveal: p.reveal.clone(),
                    read: ReadOptions::default(),
                    backend: p.backend.into(),
                    ciphertext,
                };
                let proved = veil_engine::preview::prove_loaded(
                    req.load_with(listing)?,
                    params,
                    &out,
                    progress,
                )?;
                Ok(proved.file.to_json())
            }
            JobRequest::AuditReport(r) => {
                let req = r.request();
                Ok(match r.backend {
                    ProofBackend::Groth16 => {
                        veil_engine::audit::prove_report(store, &req, params, &out, &**progress)?
                            .to_json()
                    }
                    ProofBackend::Halo2 => {
                        veil_engine::aggregate::prove(store, &req, params, &out, &**progress)?
                            .0
                            .to_json()
                    }
                })
            }
            JobRequest::UsageTier(t) => {
                let req = TierRequest {
                    listing_id: t.listing_id.clone(),
                    epoch: t.epoch,
                    lo: t.lo,
                    hi: t.hi,
                    backend: t.backend.into(),
                };
                let opening = dir.join("opening.json");
                let env =
                    veil_engine::meter::prove_tier(store, &req, params, &out, &opening, true)?;
                let opening = veil_engine::files::read_text(&opening, "the usage opening")?;
                let opening: serde_json::Value = serde_json::from_str(&opening)
                    .map_err(|e| EngineError::Refused(format!("the usage opening: {e}")))?;
                Ok(serde_json::json!({ "proof": env, "opening": opening }).to_string())
            }
            JobRequest::Benchmark(b) => {
                Ok(veil_engine::bench::run(&b.plan(), dir, &**progress)?.to_json())
            }
            JobRequest::Dispute(d) => {
                let (listing, ciphertext, key) = d
                    .resolve(shared)
                    .map_err(|e| EngineError::Refused(e.to_string()))?;
                let (listing_path, key_path) = (dir.join("listing.json"), dir.join("dataset.key"));
                veil_engine::files::write_output(&listing_path, &listing.to_json())?;
                // The key is a secret: 0600, as the engine reads keys.
                veil_engine::files::write_secret_replacing(&key_path, &key, true)?;
                let req = veil_engine::dispute::DisputeRequest {
                    ciphertext,
                    listing: listing_path,
                    key: key_path,
                    index: d.index,
                    backend: d.backend.into(),
                };
                Ok(
                    veil_engine::dispute::prove(&req, params, &out, true, progress)?
                        .file
                        .to_json(),
                )
            }
        }
    }
}

/// Most cases in one benchmark job.
pub const MAX_BENCH_CASES: usize = 16;

/// A registered listing, or a 404 naming it.
pub fn registered(
    store: &dyn ServiceStore,
    id: &str,
) -> Result<veil_engine::ledger::ListingRecord> {
    store
        .listing(id)?
        .ok_or_else(|| ServiceError::NotFound(format!("no listing {id:?} is registered")))
}

/// Parses a stored listing.
pub fn listing_of(json: &str) -> Result<veil_engine::circuits::dataset::Listing> {
    veil_engine::circuits::dataset::Listing::from_json(json)
        .map_err(|e| ServiceError::Internal(format!("a stored listing does not parse: {e}")))
}

/// Refuses a job whose keys are not in `params`, saying how to make them: Groth16's for
/// `key`, or halo2 parameters (of at least `2^min_k` rows; a shape's own size is checked when
/// the job runs).
fn keys_exist(params: &Path, key: &str, backend: ProofBackend, min_k: u32) -> Result<()> {
    match backend {
        ProofBackend::Groth16 => {
            match veil_engine::verifier::params::load_verifying_key(params, key) {
                Ok(_) => Ok(()),
                Err(e) => Err(ServiceError::Unprocessable(format!(
                    "no keys for {key} on this service ({e}): the operator runs `veil setup` for \
                 this shape"
                ))),
            }
        }
        ProofBackend::Halo2 => {
            let setup = format!("`veil setup --backend halo2` for {key}");
            match veil_engine::verifier::halo2::ParamsInfo::load(params) {
                Ok(info) if info.k >= min_k => Ok(()),
                Ok(info) => Err(ServiceError::Unprocessable(format!(
                    "the halo2 parameters on this service hold 2^{} rows and {key} needs \
                     2^{min_k}: the operator runs {setup}",
                    info.k
                ))),
                Err(e) => Err(ServiceError::Unprocessable(format!(
                    "no halo2 parameters on this service ({e}): the operator runs {setup}"
                ))),
            }
        }
    }
}
