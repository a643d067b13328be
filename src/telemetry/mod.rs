//! Logging and metrics. Fields never carry personal data; the text formatter escapes control
//! characters in every field and message (and JSON escapes them by its nature), so a value (a
//! token's name, an error from another system, a path) cannot forge a log line with an embedded
//! newline or rewrite the terminal with an escape sequence.

pub mod metrics;
pub mod request;

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::Writer;

use crate::config::LogFormat;

/// Installs the process's logger. In both formats every line written while a request is handled
/// carries the request's span (`request_id`, see [`request`]).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("CANCELDESK_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.fmt_fields(EscapedFields).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
    };
}

/// The fields of events and spans as `name=value`, the message bare, like the default format,
/// but with every control character (and the Unicode line and paragraph separators) written as
/// an escape such as `\n` or `\u{1b}`. Display values (`%value`) and messages are where the
/// default format writes raw text; `Debug` values were escaped already and stay as they are.
pub struct EscapedFields;

impl<'writer> FormatFields<'writer> for EscapedFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = EscapingVisitor {
            writer,
            result: Ok(()),
            first: true,
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct EscapingVisitor<'writer> {
    writer: Writer<'writer>,
    result: fmt::Result,
    first: bool,
}

impl Visit for EscapingVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let name = field.name();
        // The metadata of records bridged from the `log` crate, shown by the event format.
        if self.result.is_err() || name.starts_with("log.") {
            return;
        }
        let text = escape(&format!("{value:?}"));
        let separator = if std::mem::take(&mut self.first) {
            ""
        } else {
            " "
        };
        let name = name.strip_prefix("r#").unwrap_or(name);
        self.result = if name == "message" {
            write!(self.writer, "{separator}{text}")
        } else {
            write!(self.writer, "{separator}{name}={text}")
        };
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// The text with control characters escaped; everything else as it was.
pub fn escape(text: &str) -> String {
    if !text.contains(needs_escape) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            // `\n`, `\r`, `\t`, else `\u{…}`.
            let _ = write!(out, "{}", c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// The path as the access log shows it: upload links carry a secret in the path, so it is cut.
/// (Query strings, which can hold searched phone numbers or names, are never logged.)
pub fn logged_path(path: &str) -> String {
    match path.strip_prefix("/upload/") {
        Some(_) => "/upload/…".to_owned(),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(emit: impl FnOnce()) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_target(false)
            .fmt_fields(EscapedFields)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn control_characters_are_escaped_in_values_messages_and_spans() {
        let name = "x\nFORGED line";
        let out = logged(|| {
            let span = tracing::info_span!("request", path = %"/a\r\nFORGED span");
            let _entered = span.enter();
            tracing::info!(client = %name, debug = ?name, plain = name, "hello\n{}", "FORGED message\u{1b}[2J");
        });
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.contains(r"client=x\nFORGED line"), "{out}");
        assert!(out.contains(r#"debug="x\nFORGED line""#), "{out}");
        assert!(out.contains(r#"plain="x\nFORGED line""#), "{out}");
        assert!(out.contains(r"hello\nFORGED message\u{1b}[2J"), "{out}");
        assert!(out.contains(r"path=/a\r\nFORGED span"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        assert_eq!(escape("Siti Rahayu — José 王"), "Siti Rahayu — José 王");
        assert_eq!(escape("a\u{2028}b\u{85}c\td"), r"a\u{2028}b\u{85}c\td");
    }
}
