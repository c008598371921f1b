//! A BCDA-compatible Bulk Data server.
//!
//! One process serves the API and runs the export workers. State lives in an embedded SQLite
//! database in the data directory (WAL, versioned migrations): ACOs, hashed client secrets,
//! attribution files, jobs, sub-jobs, job files and revoked token ids. Access tokens are RS512
//! JWTs with BCDA's claims, signed with a key pair created on first start and verified locally on
//! every request. Export files are gzip NDJSON at rest, written atomically.
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

pub use config::{HashParams, Pace, RateLimit, ServerConfig, TlsFiles};
pub use error::ServerError;

/// Shared state of a running server.
pub(crate) struct AppState {
    pub(crate) config: ServerConfig,
    pub(crate) store: store::Store,
    pub(crate) keys: auth::TokenKeys,
    pub(crate) work_ready: Notify,
    pub(crate) token_limiter: api::token::RateLimiter,
    pub(crate) secret_cache: auth::SecretCache,
    pub(crate) manifests: api::jobs::ManifestCache,
    /// Serialises the duplicate check with the job insert.
    pub(crate) kickoff_lock: std::sync::Mutex<()>,
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

/// Open (or create) the data directory, seed the sandbox on first start, re-queue sub-jobs that
/// were running when the process last stopped, bind, and start serving and working.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| ServerError::io(&config.data_dir, e))?;
    let cfg = config.clone();
    let (store, keys) = tokio::task::spawn_blocking(move || -> Result<_, ServerError> {
        let store = store::Store::open(&cfg.data_dir.join("bcda.sqlite3"))?;
        let keys = auth::TokenKeys::load_or_create(&cfg.data_dir)?;
        if cfg.seed_sandbox {
            sandbox::seed(&store, &cfg.hash_params)?;
        }
        let requeued = store.requeue_running()?;
        if requeued > 0 {
            tracing::info!(requeued, "re-queued sub-jobs interrupted by the last stop");
        }
        worker::remove_stale_temp_files(&cfg.data_dir);
        Ok((store, keys))
    })
    .await
    .map_err(|e| ServerError::Task(e.to_string()))??;

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
        kickoff_lock: std::sync::Mutex::new(()),
        config,
        store,
        keys,
        work_ready: Notify::new(),
    });

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    for id in 0..state.config.workers {
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

    let app = api::router(state.clone());
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
