//! Proof jobs: submit (idempotent with an `Idempotency-Key` header), read, list, cancel, and
//! download the result. A job is visible to its owner (and admins) only; anyone else gets 404.

use crate::auth::Caller;
use crate::error::{AuthErrors, BodyErrors, ErrorBody, Result, ServiceError};
use crate::jobs::JobRequest;
use crate::routes::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veil_engine::ledger::{Job, JobState, NewJob, Submitted};

/// A job's progress in its current stage.
#[derive(Serialize, ToSchema)]
pub struct JobProgress {
    /// The stage (`reading`, `proving batches`, ...).
    pub stage: Option<String>,
    /// Units done.
    pub done: u64,
    /// Units in all (0: unknown).
    pub total: u64,
}

/// A job as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct JobView {
    /// The job's id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// `queued`, `running`, `succeeded`, `failed`, `cancelled` or `timed_out`.
    pub state: String,
    /// Its request.
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// Attempts started.
    pub attempts: u32,
    /// Submission time, ms since the Unix epoch.
    pub created_ms: u64,
    /// When it first started.
    pub started_ms: Option<u64>,
    /// When it ended.
    pub finished_ms: Option<u64>,
    /// When it times out.
    pub deadline_ms: u64,
    /// Progress.
    pub progress: JobProgress,
    /// Why it failed, timed out, was cancelled or retried.
    pub error: Option<String>,
    /// Where its result is, once it succeeded (until the result expires).
    pub result: Option<String>,
}

/// A request as a view shows it (to its owner, and to its webhook): a dispute's dataset key
/// stays in the queue, never in a response or a webhook's body.
fn redacted(mut request: serde_json::Value) -> serde_json::Value {
    if let Some(key) = request.get_mut("key").and_then(|k| k.get_mut("key")) {
        *key = serde_json::Value::String("redacted".into());
    }
    request
}

impl JobView {
    /// The view of a stored job.
    pub fn of(j: Job) -> JobView {
        JobView {
            result: j.has_result.then(|| format!("/v1/jobs/{}/result", j.id)),
            request: redacted(serde_json::from_str(&j.request).unwrap_or(serde_json::Value::Null)),
            id: j.id,
            kind: j.kind,
            state: j.state.as_str().into(),
            attempts: j.attempts,
            created_ms: j.created_ms,
            started_ms: j.started_ms,
            finished_ms: j.finished_ms,
            deadline_ms: j.deadline_ms,
            progress: JobProgress {
                stage: j.stage,
                done: j.done,
                total: j.total,
            },
            error: j.error,
        }
    }
}

/// Jobs, newest first.
#[derive(Serialize, ToSchema)]
pub struct JobList {
    /// The jobs.
    pub jobs: Vec<JobView>,
}

/// How many jobs to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most this many (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

const MAX_KEY: usize = 200;

/// Submits a job. The role depends on its kind: `preview` seller, `audit-report` auditor,
/// `usage-tier` gateway.
#[utoipa::path(post, path = "/v1/jobs", tag = "jobs", security(("bearer" = [])),
    request_body = JobRequest,
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Resubmitting with the same key returns the same job; another body with it is a 409")),
    responses((status = 201, description = "Queued", body = JobView),
              (status = 200, description = "The job this idempotency key made before", body = JobView),
              (status = 403, description = "The role may not submit this kind", body = ErrorBody),
              (status = 404, description = "A listing it names does not exist", body = ErrorBody),
              (status = 409, description = "The idempotency key was used with another body", body = ErrorBody),
              (status = 422, description = "Refused: unknown shape, no keys, an open epoch", body = ErrorBody),
              (status = 429, description = "The queue is full; see Retry-After", body = ErrorBody),
              AuthErrors, BodyErrors))]
pub async fn submit(
    caller: Caller,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<JobRequest>,
) -> Result<Response> {
    caller.require(req.roles(), &format!("a {} job", req.kind()))?;
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v.to_str().map_err(|_| {
                ServiceError::BadRequest("the Idempotency-Key header is not text".into())
            })?;
            if k.is_empty() || k.len() > MAX_KEY {
                return Err(ServiceError::BadRequest(format!(
                    "the Idempotency-Key must be 1 to {MAX_KEY} characters"
                )));
            }
            Some(k.to_string())
        }
    };
    let st = state.clone();
    let submitted = state
        .blocking(move |store| {
            let shared = st.shared();
            req.check(shared, &caller.id)?;
            let request = serde_json::to_string(&req)
                .map_err(|e| ServiceError::Internal(format!("a request: {e}")))?;
            Ok(store.submit(
                &NewJob {
                    kind: req.kind().into(),
                    request,
                    owner: caller.id.clone(),
                    idempotency_key: key,
                    deadline: shared.config.job_deadline(),
                    max_attempts: shared.config.max_attempts,
                },
                shared.config.queue_limit,
            )?)
        })
        .await?;
    let status = match &submitted {
        Submitted::Created(_) => {
            state.shared().wakeup.notify();
            StatusCode::CREATED
        }
        Submitted::Existing(_) => StatusCode::OK,
    };
    let job = match submitted {
        Submitted::Created(j) | Submitted::Existing(j) => j,
    };
    let location = HeaderValue::from_str(&format!("/v1/jobs/{}", job.id))
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok((
        status,
        [(header::LOCATION, location)],
        Json(JobView::of(job)),
    )
        .into_response())
}

/// The caller's job `id` (404 for another owner's: its existence is not disclosed).
async fn owned(state: &AppState, caller: &Caller, id: String) -> Result<Job> {
    let job = state.blocking(move |s| Ok(s.job(&id)?)).await?;
    match job {
        Some(j) if caller.owns(&j.owner) => Ok(j),
        _ => Err(ServiceError::NotFound("no such job".into())),
    }
}

/// A job.
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "The job's id")),
    responses((status = 200, description = "The job", body = JobView),
              (status = 404, description = "No such job (or not yours)", body = ErrorBody),
              AuthErrors))]
pub async fn get(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<JobView>> {
    Ok(Json(JobView::of(owned(&state, &caller, id).await?)))
}

/// The caller's jobs (an admin's: everyone's), newest first.
#[utoipa::path(get, path = "/v1/jobs", tag = "jobs", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "The jobs", body = JobList),
              (status = 400, description = "A bad limit", body = ErrorBody),
              AuthErrors))]
pub async fn list(
    caller: Caller,
    State(state): State<AppState>,
    query: std::result::Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<JobList>> {
    let Query(q) = query.map_err(|e| ServiceError::BadRequest(e.body_text()))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=1000).contains(&limit) {
        return Err(ServiceError::BadRequest(format!(
            "limit {limit} is not in 1..=1000"
        )));
    }
    let limit = limit as usize;
    let owner = (caller.role != crate::auth::Role::Admin).then(|| caller.id.clone());
    let jobs = state
        .blocking(move |s| Ok(s.jobs(owner.as_deref(), limit)?))
        .await?;
    Ok(Json(JobList {
        jobs: jobs.into_iter().map(JobView::of).collect(),
    }))
}

/// Cancels a job: a queued one never runs, a running one stops at its next step. A finished
/// job is returned as it is.
#[utoipa::path(post, path = "/v1/jobs/{id}/cancel", tag = "jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "The job's id")),
    responses((status = 200, description = "The job, cancelled (or already final)", body = JobView),
              (status = 404, description = "No such job (or not yours)", body = ErrorBody),
              AuthErrors))]
pub async fn cancel(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<JobView>> {
    let job = owned(&state, &caller, id).await?;
    let id = job.id.clone();
    let job = state
        .blocking(move |s| Ok(s.cancel(&id)?))
        .await?
        .unwrap_or(job);
    Ok(Json(JobView::of(job)))
}

/// A succeeded job's result: the file the command line would write (a preview, a report, a
/// tier proof with its opening), as JSON.
#[utoipa::path(get, path = "/v1/jobs/{id}/result", tag = "jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "The job's id")),
    responses((status = 200, description = "The result", body = Object),
              (status = 404, description = "No such job (or not yours)", body = ErrorBody),
              (status = 409, description = "The job has not succeeded (yet)", body = ErrorBody),
              (status = 410, description = "The result has expired", body = ErrorBody),
              AuthErrors))]
pub async fn result(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response> {
    let job = owned(&state, &caller, id).await?;
    let not = |m: String| Err(ServiceError::Conflict(m));
    match job.state {
        JobState::Succeeded => {}
        JobState::Queued | JobState::Running => {
            return not(format!(
                "job {} is {}: no result yet",
                job.id,
                job.state.as_str()
            ))
        }
        JobState::Cancelled => {
            return not(format!("job {} was cancelled: it has no result", job.id))
        }
        JobState::Failed | JobState::TimedOut => {
            return not(format!(
                "job {} {}: {}",
                job.id,
                if job.state == JobState::Failed {
                    "failed"
                } else {
                    "timed out"
                },
                job.error.unwrap_or_default()
            ))
        }
    }
    let id = job.id.clone();
    let text = state.blocking(move |s| Ok(s.job_result(&id)?)).await?;
    match text {
        Some(t) => Ok(([(header::CONTENT_TYPE, "application/json")], t).into_response()),
        None => Err(ServiceError::Gone(format!(
            "job {}'s result has expired (results are kept {} s)",
            job.id,
            state.shared().config.result_ttl_secs
        ))),
    }
}
