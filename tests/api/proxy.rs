//! A TCP gate between the app and the test PostgreSQL server. Open, it
//! forwards every connection; closed, it cuts the connections it carries and
//! refuses new ones, which is what the app sees while PostgreSQL restarts.
use std::sync::{Arc, Mutex, PoisonError};

use tokio::{
    net::{TcpSocket, TcpStream},
    task::{JoinHandle, JoinSet},
};

pub struct Gate {
    port: u16,
    /// `host:port` of the real server.
    server: String,
    accepting: Option<JoinHandle<()>>,
    links: Arc<Mutex<JoinSet<()>>>,
}

/// The `host:port` of a `postgres://user@host:port/db` URL.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

impl Gate {
    /// Opens a gate on a free port in front of the server of `url`.
    pub async fn open(url: &str) -> Self {
        let mut gate = Self {
            port: 0,
            server: authority(url).to_owned(),
            accepting: None,
            links: Arc::default(),
        };
        gate.reopen().await;
        gate
    }

    /// `url` (a database on the gated server) reached through the gate.
    pub fn route(&self, url: &str) -> String {
        url.replacen(authority(url), &format!("127.0.0.1:{}", self.port), 1)
    }

    /// Cuts every connection through the gate and refuses new ones.
    pub async fn close(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
            let _ = accepting.await;
        }
        let mut links =
            std::mem::take(&mut *self.links.lock().unwrap_or_else(PoisonError::into_inner));
        links.shutdown().await;
    }

    /// Accepts connections again, on the same port.
    pub async fn reopen(&mut self) {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.set_reuseaddr(true).expect("SO_REUSEADDR");
        socket
            .bind(([127, 0, 0, 1], self.port).into())
            .expect("bind the gate");
        let listener = socket.listen(64).expect("listen");
        self.port = listener.local_addr().expect("gate address").port();
        let (server, links) = (self.server.clone(), self.links.clone());
        self.accepting = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let server = server.clone();
                links
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(&server).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
            }
        }));
    }
}
