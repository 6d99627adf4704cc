//! The HTTP edge against careless and hostile clients: bodies limited by the bytes read (HTTP/2
//! and chunked HTTP/1.1 included), the headers of every answer, bad input answered `400` (never
//! `500`), ids from paths checked before anything is counted or audited, and slow clients.

mod body;
mod ids;
mod input;
mod slow;

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::TestServer;

/// `HOST:PORT` of the server.
fn addr(s: &TestServer) -> &str {
    s.base.trim_start_matches("http://")
}

/// Sends `request` on a new connection, reading the answer while writing (the server may answer
/// before the request is over), until the server closes or a 10 s deadline.
async fn raw(addr: &str, request: Vec<u8>) -> String {
    let (mut read, mut write) = TcpStream::connect(addr).await.expect("connect").into_split();
    let writer = tokio::spawn(async move {
        // The server may stop reading and close: a failed write is part of the test.
        let _ = write.write_all(&request).await;
        write
    });
    let mut answer = Vec::new();
    let read_all = read.read_to_end(&mut answer);
    let _ = tokio::time::timeout(Duration::from_secs(10), read_all).await;
    drop(writer);
    String::from_utf8_lossy(&answer).into_owned()
}
