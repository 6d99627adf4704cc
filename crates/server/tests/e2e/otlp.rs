//! An OTLP/HTTP trace receiver for the tests: it keeps every export's body as received.

use std::sync::{Arc, Mutex};

use poem::{
    EndpointExt, Route, handler,
    listener::{Acceptor, Listener, TcpListener},
    post,
    web::{Data, Json},
};
use serde_json::{Value, json};

type Exports = Arc<Mutex<Vec<String>>>;

#[handler]
fn collect(exports: Data<&Exports>, body: String) -> Json<Value> {
    exports.lock().expect("lock").push(body);
    Json(json!({}))
}

/// An OTLP/HTTP receiver keeping every export's body as text.
pub struct Collector {
    /// `http://127.0.0.1:PORT`, to use as `telemetry.otlp_endpoint`.
    pub url: String,
    exports: Exports,
}

impl Collector {
    pub async fn start() -> Self {
        let exports = Exports::default();
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.expect("bind");
        let addr = acceptor.local_addr()[0].as_socket_addr().copied().expect("addr");
        let app = Route::new().at("/v1/traces", post(collect)).data(exports.clone());
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
        Self { url: format!("http://{addr}"), exports }
    }

    /// Everything exported so far, as text.
    pub fn text(&self) -> String {
        self.exports.lock().expect("lock").join("\n")
    }

    /// Everything exported so far, each export parsed as JSON.
    pub fn exports(&self) -> Vec<Value> {
        let exports = self.exports.lock().expect("lock");
        exports.iter().map(|e| serde_json::from_str(e).expect("an OTLP/JSON export")).collect()
    }
}
