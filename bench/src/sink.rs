//! A local SMTP sink: accepts every message, keeps only a count and the times
//! of the first connection and of the last message since the last reset.
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

#[derive(Default)]
struct Window {
    first_connection: Option<Instant>,
    last_message: Option<Instant>,
}

#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    count: Arc<AtomicU64>,
    window: Arc<Mutex<Window>>,
}

impl Sink {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let sink = Self {
            port: listener.local_addr()?.port(),
            count: Arc::default(),
            window: Arc::default(),
        };
        let accepting = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepting
                    .window
                    .lock()
                    .expect("sink lock")
                    .first_connection
                    .get_or_insert_with(Instant::now);
                let session = accepting.clone();
                tokio::spawn(async move {
                    let _ = session.serve(stream).await;
                });
            }
        });
        Ok(sink)
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.count.store(0, Ordering::SeqCst);
        *self.window.lock().expect("sink lock") = Window::default();
    }

    /// From the first connection to the last message, since the last reset.
    pub fn span(&self) -> Option<Duration> {
        let w = self.window.lock().expect("sink lock");
        Some(w.last_message?.duration_since(w.first_connection?))
    }

    async fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        let mut line = String::new();
        write.write_all(b"220 bench-sink ESMTP\r\n").await?;
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" => b"250-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                "DATA" => {
                    write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await? == 0 {
                            return Ok(());
                        }
                        if line == ".\r\n" || line == ".\n" {
                            break;
                        }
                    }
                    self.count.fetch_add(1, Ordering::SeqCst);
                    self.window.lock().expect("sink lock").last_message = Some(Instant::now());
                    b"250 2.0.0 accepted\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 2.0.0 bye\r\n").await?;
                    return Ok(());
                }
                _ => b"250 2.0.0 ok\r\n",
            };
            write.write_all(reply).await?;
        }
    }
}
