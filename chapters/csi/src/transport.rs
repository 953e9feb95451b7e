//! gRPC over a Unix socket: serving the plugin, and connecting to it.

use crate::pb::{
    controller_client::ControllerClient, controller_server::ControllerServer,
    identity_client::IdentityClient, identity_server::IdentityServer, node_client::NodeClient,
    node_server::NodeServer,
};
use crate::plugin::Plugin;
use std::future::Future;
use std::path::{Path, PathBuf};
use tonic::transport::{Channel, Endpoint, Server, Uri};

/// Errors from serving or connecting.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The endpoint is not `unix:///absolute/path`.
    #[error("endpoint {0:?}: expected unix:///absolute/path/to/csi.sock")]
    Endpoint(String),
    /// Something other than a socket sits where the socket should go.
    #[error("{0} exists and is not a socket; refusing to remove it")]
    NotASocket(PathBuf),
    /// Binding or removing the socket failed.
    #[error("socket {path}: {source}")]
    Io {
        /// The socket path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The gRPC layer failed.
    #[error("grpc: {0}")]
    Grpc(#[from] tonic::transport::Error),
}

/// Parse a CSI endpoint (`unix:///run/csi/csi.sock`, or a bare absolute path).
pub fn parse_endpoint(endpoint: &str) -> Result<PathBuf, TransportError> {
    let path = endpoint.strip_prefix("unix://").unwrap_or(endpoint);
    if path.is_empty() || !path.starts_with('/') || path.contains('\0') {
        return Err(TransportError::Endpoint(endpoint.to_string()));
    }
    Ok(PathBuf::from(path))
}

/// How long a stopping server waits for open connections before it quits.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Serve Identity, Controller and Node on a Unix socket at `socket` until
/// `shutdown` completes, then remove the socket file. A stale socket from a
/// previous run is replaced; any other file at that path is left alone.
pub async fn serve_unix(
    plugin: Plugin,
    socket: &Path,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), TransportError> {
    use std::os::unix::fs::FileTypeExt;
    let io = |source| TransportError::Io {
        path: socket.to_path_buf(),
        source,
    };
    if let Ok(meta) = std::fs::symlink_metadata(socket) {
        if !meta.file_type().is_socket() {
            return Err(TransportError::NotASocket(socket.to_path_buf()));
        }
        std::fs::remove_file(socket).map_err(io)?;
    }
    if let Some(parent) = socket.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let listener = tokio::net::UnixListener::bind(socket).map_err(io)?;
    let incoming = tokio_stream::wrappers::UnixListenerStream::new(listener);
    // Graceful shutdown waits for every connection to close, but a CO keeps
    // its connection open for as long as it lives: after SHUTDOWN_GRACE the
    // server stops anyway (in-flight RPCs have had their chance).
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        let _ = stopping_tx.send(());
    };
    let server = Server::builder()
        .add_service(IdentityServer::new(plugin.clone()))
        .add_service(ControllerServer::new(plugin.clone()))
        .add_service(NodeServer::new(plugin))
        .serve_with_incoming_shutdown(incoming, signal);
    let served = tokio::select! {
        r = server => r,
        () = async {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => Ok(()),
    };
    let removed = std::fs::remove_file(socket);
    served?;
    match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
        _ => Ok(()),
    }
}

/// A gRPC channel to a plugin's Unix socket.
pub async fn connect(socket: &Path) -> Result<Channel, TransportError> {
    let socket = socket.to_path_buf();
    // The URI is a placeholder: the connector ignores it and dials the socket.
    let channel = Endpoint::from_static("http://[::1]:50051")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(socket).await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
            }
        }))
        .await?;
    Ok(channel)
}

/// Clients for the three services over one connection.
#[derive(Clone)]
pub struct CsiClients {
    /// Identity service.
    pub identity: IdentityClient<Channel>,
    /// Controller service.
    pub controller: ControllerClient<Channel>,
    /// Node service.
    pub node: NodeClient<Channel>,
}

impl CsiClients {
    /// Connect to the plugin at `socket`.
    pub async fn connect(socket: &Path) -> Result<Self, TransportError> {
        let ch = connect(socket).await?;
        Ok(Self {
            identity: IdentityClient::new(ch.clone()),
            controller: ControllerClient::new(ch.clone()),
            node: NodeClient::new(ch),
        })
    }
}
