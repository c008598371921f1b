//! A BCDA-compatible Bulk Data server.
//!
//! By default one process serves the API and runs the export workers, with its state in an
//! embedded SQLite database in the data directory (WAL, versioned migrations): ACOs, hashed
//! client secrets, attribution files, jobs, sub-jobs, job files and revoked token ids. With
//! [`Database::Postgres`] many nodes share one PostgreSQL database and one data directory
//! (export files, signing key), each in a [`Role`]: API nodes answer any job, worker nodes claim
//! sub-jobs with leases. Access tokens are RS512 JWTs with BCDA's claims, signed with a key
//! pair created on first start (in the shared data directory) and verified locally on every
//! request. Export files are gzip NDJSON at rest, written atomically.
//!
//! ```no_run
//! # async fn demo() -> Result<(), bcda_server::ServerError> {
//! let config = bcda_server::ServerConfig { port: 0, ..Default::default() };
//! let server = bcda_server::start(config).await?;
//! println!("listening on {}", server.base_url());
//! server.shutdown().await?;
//! # Ok(()) }
//! ```

pub mod admin;
mod api;
pub mod auth;
mod config;
mod error;
mod pace;
mod retention;
pub mod sandbox;
mod source;
pub mod store;
mod tls;
mod worker;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

pub use config::{Database, HashParams, Pace, RateLimit, Role, ServerConfig, TlsFiles};
pub use error::ServerError;

/// Shared state of a running server.
pub(crate) struct AppState {
    pub(crate) config: ServerConfig,
    pub(crate) store: Arc<dyn store::Store>,
    pub(crate) keys: auth::TokenKeys,
    pub(crate) work_ready: Notify,
    pub(crate) token_limiter: api::token::RateLimiter,
    pub(crate) secret_cache: auth::SecretCache,
    pub(crate) manifests: api::jobs::ManifestCache,
    pub(crate) job_cache: worker::JobCache,
}

/// A started server: its address and a handle to stop it.
pub struct RunningServer {
    addr: SocketAddr,
    scheme: &'static str,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    http: JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// The bound socket address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`, or `https://{addr}` when serving TLS.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Stop accepting requests, let in-flight requests finish, stop the workers.
    pub async fn shutdown(self) -> Result<(), ServerError> {
        let _ = self.shutdown_tx.send(true);
        let res = self
            .http
            .await
            .map_err(|e| ServerError::Task(e.to_string()))?;
        for t in self.tasks {
            let _ = t.await;
        }
        res
    }

    /// Wait until the HTTP server stops (it only stops through [`RunningServer::shutdown`]
    /// from another handle or a fatal error), then stop the workers.
    pub async fn wait(self) -> Result<(), ServerError> {
        let res = self
            .http
            .await
            .map_err(|e| ServerError::Task(e.to_string()))?;
        let _ = self.shutdown_tx.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        res
    }

    /// A sender that triggers graceful shutdown when `true` is sent (e.g. from a signal handler).
    pub fn shutdown_trigger(&self) -> watch::Sender<bool> {
        self.shutdown_tx.clone()
    }
}

/// Open the store and the signing key, seed the sandbox (idempotent, safe from several nodes
/// at once), and on SQLite re-queue the sub-jobs the last stop interrupted.
async fn prepare(
    config: &ServerConfig,
) -> Result<(Arc<dyn store::Store>, auth::TokenKeys), ServerError> {
    let store = store::open(&config.database, &config.data_dir).await?;
    let dir = config.data_dir.clone();
    let keys = tokio::task::spawn_blocking(move || auth::TokenKeys::load_or_create(&dir))
        .await
        .map_err(|e| ServerError::Task(e.to_string()))??;
    if config.seed_sandbox {
        sandbox::seed(store.as_ref(), &config.hash_params).await?;
    }
    let requeued = store.requeue_interrupted().await?;
    if requeued > 0 {
        tracing::info!(requeued, "re-queued sub-jobs interrupted by the last stop");
    }
    // On a shared directory other nodes are writing their temp files right now: only old
    // ones (well past any lease) are left over from a killed process.
    let min_age = match config.database {
        Database::Sqlite => None,
        Database::Postgres(_) => Some(config.lease * 10),
    };
    let dir = config.data_dir.clone();
    tokio::task::spawn_blocking(move || worker::remove_stale_temp_files(&dir, min_age))
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?;
    Ok((store, keys))
}

/// Open (or create) the data directory and the store, bind, and start serving and working
/// (as the configured [`Role`] says).
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| ServerError::io(&config.data_dir, e))?;
    let (store, keys) = prepare(&config).await?;

    // Read the certificate before binding, so a bad file fails the start cleanly.
    let acceptor = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let scheme = if acceptor.is_some() { "https" } else { "http" };
    let listener = tokio::net::TcpListener::bind((config.bind, config.port))
        .await
        .map_err(ServerError::Bind)?;
    let addr = listener.local_addr().map_err(ServerError::Bind)?;

    let state = Arc::new(AppState {
        token_limiter: api::token::RateLimiter::new(
            config.token_rate_limit,
            config.token_rate_window,
        ),
        secret_cache: auth::SecretCache::default(),
        manifests: api::jobs::ManifestCache::default(),
        job_cache: worker::JobCache::default(),
        config,
        store,
        keys,
        work_ready: Notify::new(),
    });

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let workers = if state.config.role.runs_workers() {
        state.config.workers
    } else {
        0
    };
    for id in 0..workers {
        tasks.push(tokio::spawn(worker::run(
            state.clone(),
            id,
            shutdown_rx.clone(),
        )));
    }
    tasks.push(tokio::spawn(retention::run(
        state.clone(),
        shutdown_rx.clone(),
    )));

    let app = if state.config.role.serves_api() {
        api::router(state.clone())
    } else {
        api::worker_router(state.clone())
    };
    let mut rx = shutdown_rx.clone();
    let stopped = async move {
        while !*rx.borrow() {
            if rx.changed().await.is_err() {
                break;
            }
        }
    };
    let http = match acceptor {
        None => tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
                .map_err(ServerError::Bind)
        }),
        Some(acceptor) => tokio::spawn(async move {
            let tls = tls::TlsListener {
                tcp: listener,
                acceptor,
            };
            axum::serve(tls, app)
                .with_graceful_shutdown(stopped)
                .await
                .map_err(ServerError::Bind)
        }),
    };
    tracing::info!(%addr, "bcda server listening");
    Ok(RunningServer {
        addr,
        scheme,
        shutdown_tx,
        tasks,
        http,
    })
}
