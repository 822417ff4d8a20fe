//! Bearer tokens with roles. A token is `veil_` and 40 random hex digits, shown once when made
//! (`veil serve token create`); the store keeps only its SHA-256, and logs and job owners show
//! only its public id. Every route names the roles it admits; `admin` is admitted everywhere.

use crate::error::{Result, ServiceError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};
use veil_engine::ledger::{Registry, TokenRecord};

/// What a token may do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Registers listings and proves previews over its own datasets.
    Seller,
    /// Verifies proofs.
    Buyer,
    /// Requests and verifies period reports.
    Auditor,
    /// Checks metered calls, closes epochs and proves usage tiers.
    Gateway,
    /// Submits benchmark jobs.
    Researcher,
    /// The operator: everything, including settlement.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Seller,
        Role::Buyer,
        Role::Auditor,
        Role::Gateway,
        Role::Researcher,
        Role::Admin,
    ];

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Seller => "seller",
            Role::Buyer => "buyer",
            Role::Auditor => "auditor",
            Role::Gateway => "gateway",
            Role::Researcher => "researcher",
            Role::Admin => "admin",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                ServiceError::BadRequest(format!(
                    "unknown role {s:?}; roles: {}",
                    Role::ALL.map(Role::as_str).join(", ")
                ))
            })
    }
}

/// The SHA-256 of a token, hex: what the store keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token for `role`: returns the token (shown once) and its stored record.
pub fn create_token(
    store: &dyn Registry,
    role: Role,
    label: &str,
) -> Result<(String, TokenRecord)> {
    let mut secret = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = format!("veil_{}", hex::encode(secret));
    let mut id = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let record = TokenRecord {
        id: format!("tok_{}", hex::encode(id)),
        role: role.as_str().into(),
        label: label.into(),
    };
    store.add_token(&record, &token_hash(&token))?;
    Ok((token, record))
}

/// The caller of a request, from its bearer token.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The token's public id.
    pub id: String,
    /// Its role.
    pub role: Role,
}

impl Caller {
    /// Admits the caller if its role is one of `roles` (or admin); `what` names the action.
    pub fn require(&self, roles: &[Role], what: &str) -> Result<()> {
        if self.role == Role::Admin || roles.contains(&self.role) {
            return Ok(());
        }
        Err(ServiceError::Forbidden(format!(
            "{what} needs the role {}; this token is a {}",
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
            self.role.as_str()
        )))
    }

    /// Whether the caller may see a job or listing owned by `owner`.
    pub fn owns(&self, owner: &str) -> bool {
        self.role == Role::Admin || self.id == owner
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ServiceError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| {
                ServiceError::Unauthenticated(
                    "no bearer token: send `Authorization: Bearer <token>` (tokens are made with \
                     `veil serve token create --role ROLE`)"
                        .into(),
                )
            })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ServiceError::Unauthenticated(
                    "the Authorization header is not `Bearer <token>`".into(),
                )
            })?;
        let hash = token_hash(token);
        let record = state.blocking(move |s| Ok(s.token(&hash)?)).await?;
        let record = record
            .ok_or_else(|| ServiceError::Unauthenticated("unknown or revoked token".into()))?;
        let role = Role::parse(&record.role).map_err(|_| {
            ServiceError::Internal(format!("token {} has role {:?}", record.id, record.role))
        })?;
        Ok(Caller {
            id: record.id,
            role,
        })
    }
}
