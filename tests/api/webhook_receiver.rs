//! A provisioning webhook receiver for the tests: a real HTTP server on a free loopback port
//! that verifies each delivery's signature with the shared secret (as the README tells a
//! receiver to), keeps what it got, and answers with scripted statuses (then 200).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use canceldesk::domain::order::{SignatureError, verify};

pub const SECRET: &str = "whsec_test_0123456789abcdef0123456789abcdef";

#[derive(Debug, Clone)]
pub struct Delivery {
    pub idempotency_key: String,
    pub body: serde_json::Value,
    pub signature: Result<(), SignatureError>,
}

#[derive(Clone, Default)]
struct Shared {
    script: Arc<Mutex<VecDeque<u16>>>,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
}

pub struct Receiver {
    pub url: String,
    shared: Shared,
}

impl Receiver {
    /// Answers the first deliveries with `statuses` (e.g. `[500, 500, 500]`), then 200. A
    /// delivery whose signature does not verify is answered 401 whatever the script says.
    pub fn start(statuses: &[u16]) -> Receiver {
        let shared = Shared {
            script: Arc::new(Mutex::new(statuses.iter().copied().collect())),
            ..Shared::default()
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let data = shared.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(data.clone()))
                .route("/orders", web::post().to(receive))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/orders"),
            shared,
        }
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.deliveries.lock().unwrap().clone()
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let signature = verify(
        SECRET.as_bytes(),
        &header("Canceldesk-Signature"),
        &body,
        chrono::Utc::now(),
        chrono::Duration::minutes(5),
    );
    shared.deliveries.lock().unwrap().push(Delivery {
        idempotency_key: header("Idempotency-Key"),
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        signature,
    });
    if signature.is_err() {
        return HttpResponse::Unauthorized().finish();
    }
    let status = shared.script.lock().unwrap().pop_front().unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}
