//! The sandbox catalogue with fixed, published credentials.
//!
//! Credentials are derived from the CMS id with SHA-256 and a fixed label, so they are the same
//! on every machine, like BCDA's public sandbox credentials. Only their hashes are stored.

use sha2::{Digest, Sha256};

use crate::source::{attribution_rows, flavour_name, outdated_attribution_rows};
use crate::store::{AcoRow, AttributionRow, Store};
use crate::{auth, HashParams, ServerError};

/// Meta key holding the sandbox reference instant (Unix seconds).
pub const REFERENCE_KEY: &str = "reference_unix";

/// One published sandbox credential.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SandboxCredential {
    /// CMS id.
    pub aco: String,
    /// Client id (UUID-like).
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
    /// Beneficiaries in its synthetic data.
    pub beneficiaries: u32,
}

fn digest_hex(label: &str, cms_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"bcda-rs sandbox ");
    h.update(label.as_bytes());
    h.update(b" ");
    h.update(cms_id.as_bytes());
    hex::encode(h.finalize())
}

/// The fixed client id of a sandbox ACO.
pub fn client_id_for(cms_id: &str) -> String {
    let h = digest_hex("client_id", cms_id);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The fixed client secret of a sandbox ACO.
pub fn client_secret_for(cms_id: &str) -> String {
    digest_hex("client_secret", cms_id)
}

/// Every sandbox ACO's published credentials, in catalogue order.
pub fn sandbox_credentials() -> Vec<SandboxCredential> {
    bcda_synth::sandbox_catalogue()
        .into_iter()
        .map(|s| SandboxCredential {
            client_id: client_id_for(&s.spec.cms_id),
            client_secret: client_secret_for(&s.spec.cms_id),
            beneficiaries: s.spec.beneficiaries,
            aco: s.spec.cms_id,
        })
        .collect()
}

/// The reference instant of this data directory, fixed at first start.
pub async fn reference_unix(store: &dyn Store) -> Result<i64, ServerError> {
    let v = match store.meta(REFERENCE_KEY).await? {
        Some(v) => v,
        None => {
            // The first node to write it wins; every node reads the same value.
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            store.init_meta(REFERENCE_KEY, &now.to_string()).await?
        }
    };
    v.parse()
        .map_err(|_| ServerError::Invalid(format!("meta {REFERENCE_KEY} = {v:?}")))
}

/// Insert the catalogue ACOs that are missing, with their attribution files and credentials,
/// and bring the attribution history of catalogue ACOs seeded by an older version up to date.
/// The published secrets are hashed with at most [`HashParams::PUBLISHED`] cost.
/// Safe when several nodes seed at once: an ACO another node inserted first is skipped.
pub async fn seed(store: &dyn Store, params: &HashParams) -> Result<usize, ServerError> {
    let params = &HashParams {
        m_cost_kib: params.m_cost_kib.min(HashParams::PUBLISHED.m_cost_kib),
        t_cost: params.t_cost.min(HashParams::PUBLISHED.t_cost),
    };
    let reference = reference_unix(store).await?;
    let mut added = 0;
    for entry in bcda_synth::sandbox_catalogue() {
        if let Some(aco) = store.aco_by_cms_id(&entry.spec.cms_id).await? {
            let rows = catalogue_rows(&entry, aco.reference_unix, reference);
            if store.attribution_files(aco.id).await? != rows {
                store.replace_attribution_files(aco.id, &rows).await?;
            }
            continue;
        }
        let row = AcoRow {
            id: 0,
            cms_id: entry.spec.cms_id.clone(),
            beneficiaries: entry.spec.beneficiaries,
            flavour: flavour_name(entry.spec.flavour).to_string(),
            partially_adjudicated: entry.spec.partially_adjudicated,
            denylisted: entry.denylisted,
            reference_unix: reference,
            rate_limited: false,
        };
        let files = catalogue_rows(&entry, reference, reference);
        let Some(id) = store.insert_aco(&row, &files).await? else {
            continue; // another node seeded it meanwhile
        };
        let hash = auth::hash_secret(&client_secret_for(&entry.spec.cms_id), params)?;
        store
            .insert_system(id, &client_id_for(&entry.spec.cms_id), &hash)
            .await?;
        added += 1;
    }
    Ok(added)
}

/// The attribution files of a catalogue ACO: the yearly history, or BCDA's outdated case.
fn catalogue_rows(
    entry: &bcda_synth::SandboxAco,
    aco_reference: i64,
    reference: i64,
) -> Vec<AttributionRow> {
    let gen = bcda_synth::Generator::new(&entry.spec, aco_reference);
    if entry.outdated_attribution {
        outdated_attribution_rows(&gen, reference)
    } else {
        attribution_rows(&gen)
    }
}
