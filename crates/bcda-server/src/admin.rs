//! Administration of a data directory (the `bcda admin` subcommands use this).

use std::path::Path;
use std::sync::Arc;

use rand_free::random_secret;

use crate::source::{attribution_rows, flavour_name};
use crate::store::{AcoRow, Database, Store};
use crate::{auth, sandbox, HashParams, ServerError};

mod rand_free {
    /// 256 random bits as hex, from two v4 UUIDs (the OS random source).
    pub(super) fn random_secret() -> String {
        let a = uuid::Uuid::new_v4();
        let b = uuid::Uuid::new_v4();
        format!("{}{}", a.simple(), b.simple())
    }
}

/// A newly issued credential (the secret is shown once and only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IssuedCredential {
    /// The ACO.
    pub aco: String,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
}

/// Admin operations on a server's database (safe while servers run: SQLite WAL, or the shared
/// PostgreSQL database every node reads).
pub struct Admin {
    store: Arc<dyn Store>,
    params: HashParams,
}

impl Admin {
    /// Open the database: the SQLite file in `data_dir` (created if absent), or PostgreSQL.
    pub async fn open(data_dir: &Path, database: &Database) -> Result<Admin, ServerError> {
        if *database == Database::Sqlite {
            std::fs::create_dir_all(data_dir).map_err(|e| ServerError::io(data_dir, e))?;
        }
        Ok(Admin {
            store: crate::store::open(database, data_dir).await?,
            params: HashParams::default(),
        })
    }

    /// The store (tests and tools).
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Create an ACO with synthetic data of `beneficiaries` people.
    pub async fn create_aco(
        &self,
        cms_id: &str,
        beneficiaries: u32,
        advanced: bool,
        partially_adjudicated: bool,
    ) -> Result<AcoRow, ServerError> {
        if cms_id.is_empty()
            || !cms_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(ServerError::Invalid(format!("CMS id {cms_id:?}")));
        }
        if self.store.aco_by_cms_id(cms_id).await?.is_some() {
            return Err(ServerError::Invalid(format!("ACO {cms_id} already exists")));
        }
        let reference = sandbox::reference_unix(self.store.as_ref()).await?;
        let spec = bcda_synth::AcoSpec {
            cms_id: cms_id.to_string(),
            beneficiaries,
            flavour: if advanced {
                bcda_synth::Flavour::Advanced
            } else {
                bcda_synth::Flavour::Simple
            },
            partially_adjudicated,
        };
        let mut row = AcoRow {
            id: 0,
            cms_id: cms_id.to_string(),
            beneficiaries,
            flavour: flavour_name(spec.flavour).to_string(),
            partially_adjudicated,
            denylisted: false,
            reference_unix: reference,
            rate_limited: false,
        };
        let gen = bcda_synth::Generator::new(&spec, reference);
        row.id = self
            .store
            .insert_aco(&row, &attribution_rows(&gen))
            .await?
            .ok_or_else(|| ServerError::Invalid(format!("ACO {cms_id} already exists")))?;
        Ok(row)
    }

    /// Issue a new credential for an ACO.
    pub async fn create_credentials(&self, cms_id: &str) -> Result<IssuedCredential, ServerError> {
        let aco = self
            .store
            .aco_by_cms_id(cms_id)
            .await?
            .ok_or_else(|| ServerError::NotFound(format!("ACO {cms_id}")))?;
        let client_id = uuid::Uuid::new_v4().to_string();
        let secret = random_secret();
        let hash = auth::hash_secret(&secret, &self.params)?;
        self.store.insert_system(aco.id, &client_id, &hash).await?;
        Ok(IssuedCredential {
            aco: aco.cms_id,
            client_id,
            client_secret: secret,
        })
    }

    /// Replace a client's secret; the old one stops working at once.
    pub async fn rotate_secret(&self, client_id: &str) -> Result<IssuedCredential, ServerError> {
        let system = self
            .store
            .system_by_client_id(client_id)
            .await?
            .ok_or_else(|| ServerError::NotFound(format!("client {client_id}")))?;
        let secret = random_secret();
        let hash = auth::hash_secret(&secret, &self.params)?;
        self.store.update_secret(client_id, &hash).await?;
        Ok(IssuedCredential {
            aco: system.cms_id,
            client_id: client_id.to_string(),
            client_secret: secret,
        })
    }

    /// Revoke a token by its `jti`.
    pub async fn revoke_token(&self, jti: &str) -> Result<(), ServerError> {
        self.store.revoke_token(jti).await
    }

    /// Deny (or re-allow) an ACO.
    pub async fn deny_aco(&self, cms_id: &str, deny: bool) -> Result<(), ServerError> {
        if self.store.set_denylisted(cms_id, deny).await? {
            Ok(())
        } else {
            Err(ServerError::NotFound(format!("ACO {cms_id}")))
        }
    }

    /// Flag (or unflag) an ACO for the duplicate-job check, on top of the server's
    /// `--rate-limit` setting. Returns true when the ACO is a test ACO (BCDA's `IsTestACO`),
    /// which stays exempt whatever the flag.
    pub async fn rate_limit_aco(&self, cms_id: &str, limited: bool) -> Result<bool, ServerError> {
        if self.store.set_rate_limited(cms_id, limited).await? {
            Ok(bcda_protocol::is_test_aco(cms_id))
        } else {
            Err(ServerError::NotFound(format!("ACO {cms_id}")))
        }
    }

    /// Every ACO.
    pub async fn list_acos(&self) -> Result<Vec<AcoRow>, ServerError> {
        self.store.list_acos().await
    }

    /// Seed the sandbox catalogue (idempotent); returns how many ACOs were added.
    pub async fn seed_sandbox(&self) -> Result<usize, ServerError> {
        sandbox::seed(self.store.as_ref(), &self.params).await
    }
}
