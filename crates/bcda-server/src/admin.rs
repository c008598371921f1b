//! Administration of a data directory (the `bcda admin` subcommands use this).

use std::path::Path;

use rand_free::random_secret;

use crate::source::{attribution_rows, flavour_name};
use crate::store::{AcoRow, Store};
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

/// Admin operations on a data directory's database (safe while a server runs: SQLite WAL).
pub struct Admin {
    store: Store,
    params: HashParams,
}

impl Admin {
    /// Open the database in `data_dir` (created if absent).
    pub fn open(data_dir: &Path) -> Result<Admin, ServerError> {
        std::fs::create_dir_all(data_dir).map_err(|e| ServerError::io(data_dir, e))?;
        Ok(Admin {
            store: Store::open(&data_dir.join("bcda.sqlite3"))?,
            params: HashParams::default(),
        })
    }

    /// Create an ACO with synthetic data of `beneficiaries` people.
    pub fn create_aco(
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
        if self.store.aco_by_cms_id(cms_id)?.is_some() {
            return Err(ServerError::Invalid(format!("ACO {cms_id} already exists")));
        }
        let reference = sandbox::reference_unix(&self.store)?;
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
        row.id = self.store.insert_aco(&row, &attribution_rows(&gen))?;
        Ok(row)
    }

    /// Issue a new credential for an ACO.
    pub fn create_credentials(&self, cms_id: &str) -> Result<IssuedCredential, ServerError> {
        let aco = self
            .store
            .aco_by_cms_id(cms_id)?
            .ok_or_else(|| ServerError::NotFound(format!("ACO {cms_id}")))?;
        let client_id = uuid::Uuid::new_v4().to_string();
        let secret = random_secret();
        self.store.insert_system(
            aco.id,
            &client_id,
            &auth::hash_secret(&secret, &self.params)?,
        )?;
        Ok(IssuedCredential {
            aco: aco.cms_id,
            client_id,
            client_secret: secret,
        })
    }

    /// Replace a client's secret; the old one stops working at once.
    pub fn rotate_secret(&self, client_id: &str) -> Result<IssuedCredential, ServerError> {
        let system = self
            .store
            .system_by_client_id(client_id)?
            .ok_or_else(|| ServerError::NotFound(format!("client {client_id}")))?;
        let secret = random_secret();
        self.store
            .update_secret(client_id, &auth::hash_secret(&secret, &self.params)?)?;
        Ok(IssuedCredential {
            aco: system.cms_id,
            client_id: client_id.to_string(),
            client_secret: secret,
        })
    }

    /// Revoke a token by its `jti`.
    pub fn revoke_token(&self, jti: &str) -> Result<(), ServerError> {
        self.store.revoke_token(jti)
    }

    /// Deny (or re-allow) an ACO.
    pub fn deny_aco(&self, cms_id: &str, deny: bool) -> Result<(), ServerError> {
        if self.store.set_denylisted(cms_id, deny)? {
            Ok(())
        } else {
            Err(ServerError::NotFound(format!("ACO {cms_id}")))
        }
    }

    /// Flag (or unflag) an ACO for the duplicate-job check, on top of the server's
    /// `--rate-limit` setting. Returns true when the ACO is a test ACO (BCDA's `IsTestACO`),
    /// which stays exempt whatever the flag.
    pub fn rate_limit_aco(&self, cms_id: &str, limited: bool) -> Result<bool, ServerError> {
        if self.store.set_rate_limited(cms_id, limited)? {
            Ok(bcda_protocol::is_test_aco(cms_id))
        } else {
            Err(ServerError::NotFound(format!("ACO {cms_id}")))
        }
    }

    /// Every ACO.
    pub fn list_acos(&self) -> Result<Vec<AcoRow>, ServerError> {
        self.store.list_acos()
    }

    /// Seed the sandbox catalogue (idempotent); returns how many ACOs were added.
    pub fn seed_sandbox(&self) -> Result<usize, ServerError> {
        sandbox::seed(&self.store, &self.params)
    }
}
