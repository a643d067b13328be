//! A tiny SMTP server for the tests: accepts mail on a free loopback port and keeps it, or answers
//! MAIL FROM with scripted refusals (one per connection, in order) to test retries.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as received (dot-stuffing undone).
    pub data: String,
}

pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    /// A sink that refuses the first connections' MAIL FROM with `refusals`, e.g.
    /// `["451 4.3.0 Try again later"]`, and accepts everything after that.
    pub async fn start(refusals: &[&'static str]) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let refusals = Arc::new(Mutex::new(
            refusals.iter().copied().collect::<VecDeque<_>>(),
        ));
        let kept = mails.clone();
        actix_web::rt::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let refusal = refusals.lock().unwrap().pop_front();
                actix_web::rt::spawn(session(socket, refusal, kept.clone()));
            }
        });
        SmtpSink { port, mails }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

async fn reply(w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str) -> bool {
    w.write_all(format!("{text}\r\n").as_bytes()).await.is_ok()
}

async fn session(
    socket: tokio::net::TcpStream,
    refusal: Option<&'static str>,
    mails: Arc<Mutex<Vec<Mail>>>,
) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    if !reply(&mut write, "220 sink.test ESMTP").await {
        return;
    }
    let mut from = String::new();
    let mut to = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" | "HELO" => "250 sink.test".to_owned(),
            "MAIL" => match refusal {
                Some(r) => r.to_owned(),
                None => {
                    from = command[10..].trim().to_owned();
                    "250 OK".to_owned()
                }
            },
            "RCPT" => {
                to.push(command[8..].trim().to_owned());
                "250 OK".to_owned()
            }
            "DATA" => {
                if !reply(&mut write, "354 End data with <CR><LF>.<CR><LF>").await {
                    return;
                }
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if lines.read_line(&mut l).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                }
                mails.lock().unwrap().push(Mail {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                "250 OK queued".to_owned()
            }
            "QUIT" => {
                reply(&mut write, "221 Bye").await;
                return;
            }
            _ => "250 OK".to_owned(),
        };
        if !reply(&mut write, &answer).await {
            return;
        }
    }
}
