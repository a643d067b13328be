//! Notices to customers: their kinds, the channel they go by, the words for their delivery
//! status, the upload-link placeholder, and how long to wait before trying a delivery again.
//! Pure rules; the texts themselves are messages per language (`locales/<tag>/notices.ftl`, see
//! `notices::render`).

use chrono::Duration;

use super::labels::labelled_enum;
use super::request::ContactChannel;
use super::said::{Fill, Said};

labelled_enum! {
    /// What a notice tells the customer. The database stores [`NoticeKind::as_str`].
    pub enum NoticeKind {
        Received => ("received", "Application received"),
        DocumentsRequested => ("documents_requested", "Documents requested"),
        Approved => ("approved", "Cancellation approved"),
        Rejected => ("rejected", "Application rejected"),
        Reminder => ("reminder", "Reminder: documents due"),
        Expired => ("expired", "Closed: no documents by the deadline"),
        Withdrawn => ("withdrawn", "Withdrawn at the customer's request"),
        Cancelled => ("cancelled", "Line cancelled"),
    }
}

impl NoticeKind {
    /// Whether the text carries an upload link.
    pub fn has_link(self) -> bool {
        matches!(self, NoticeKind::DocumentsRequested | NoticeKind::Reminder)
    }
}

labelled_enum! {
    /// How a notice reaches the customer.
    pub enum NoticeChannel {
        Email => ("email", "e-mail"),
        Sms => ("sms", "SMS"),
    }
}

labelled_enum! {
    pub enum NoticeStatus {
        Pending => ("pending", "waiting to be sent"),
        Sent => ("sent", "sent"),
        Failed => ("failed", "failed"),
        NoGateway => ("no_gateway", "not sent (no gateway)"),
        Superseded => ("superseded", "not sent (no longer needed)"),
    }
}

/// Stands in a stored notice text for the upload link, whose token is kept apart (and erased
/// once the notice is delivered).
pub const LINK_PLACEHOLDER: &str = "{upload_link}";

/// What agents see instead of the link.
pub const LINK_FOR_AGENTS: &str = "(secure upload link)";

/// Where a notice goes: the customer's preferred channel, else whichever contact exists.
pub fn choose_channel(
    preferred: ContactChannel,
    email: Option<&str>,
    phone: Option<&str>,
) -> Option<(NoticeChannel, String)> {
    let email = email
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| (NoticeChannel::Email, e.to_owned()));
    let phone = phone
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| (NoticeChannel::Sms, p.to_owned()));
    if preferred == ContactChannel::Sms {
        phone.or(email)
    } else {
        email.or(phone)
    }
}

/// Text typed by people (a name, an agent's message) cannot smuggle in the placeholder: only the
/// template's own placeholder becomes a link.
pub fn neutralise(text: &str) -> String {
    text.replace(LINK_PLACEHOLDER, "(upload link)")
}

/// The text as delivered: the placeholder replaced by the real link. Without a token (already
/// erased) the customer is told to use the link from the earlier message.
pub fn fill_link(body: &str, link: Option<&str>) -> String {
    body.replace(
        LINK_PLACEHOLDER,
        link.unwrap_or("(the link in our earlier message)"),
    )
}

/// The upload page of a token.
pub fn upload_url(public_url: &str, token: &str) -> String {
    format!("{}/upload/{token}", public_url.trim_end_matches('/'))
}

/// The text as agents see it on the timeline: never the link itself.
pub fn for_agents(body: &str) -> String {
    body.replace(LINK_PLACEHOLDER, LINK_FOR_AGENTS)
}

/// The delivery status in plain words, e.g. "failed after 6 attempts: 550 mailbox unavailable".
pub fn status_words(status: &str, attempts: i32, last_error: Option<&str>) -> Said {
    match NoticeStatus::parse(status) {
        Some(NoticeStatus::Failed) => {
            let said = Said::with(
                "notice-status-failed",
                "attempts",
                Fill::Number(attempts.into()),
            );
            match last_error {
                Some(e) => Said {
                    id: "notice-status-failed-because",
                    ..said
                }
                .fill("error", Fill::Text(e.to_owned())),
                None => said,
            }
        }
        Some(NoticeStatus::Pending) if attempts > 0 => Said::with(
            "notice-status-retrying",
            "attempts",
            Fill::Number(attempts.into()),
        ),
        Some(s) => Said::new(s.message_id()),
        None => Said::with("text-as-is", "text", Fill::Text(status.to_owned())),
    }
}

/// The wait after the `attempts`-th failed delivery: 1 minute, doubling each time, at most 2 hours.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 16) as u32 - 1;
    let minutes = 1i64 << exponent;
    Duration::minutes(minutes.min(120))
}

/// After a failed attempt: try again later, or give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    At(Duration),
    GiveUp,
}

/// `permanent`: the server refused for good (unknown mailbox, bad address): no retry.
pub fn after_failure(attempts: i32, max_attempts: i32, permanent: bool) -> Retry {
    if permanent || attempts >= max_attempts {
        Retry::GiveUp
    } else {
        Retry::At(backoff(attempts))
    }
}

/// The last four characters of an account or phone number, for texts to customers.
pub fn last_four(value: &str) -> String {
    let digits: Vec<char> = value.chars().filter(char::is_ascii_alphanumeric).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preferred_channel_wins_when_its_contact_exists() {
        let mail = Some("a@example.com");
        let phone = Some("+6283812345678");
        assert_eq!(
            choose_channel(ContactChannel::Sms, mail, phone),
            Some((NoticeChannel::Sms, "+6283812345678".into()))
        );
        assert_eq!(
            choose_channel(ContactChannel::Email, mail, phone),
            Some((NoticeChannel::Email, "a@example.com".into()))
        );
        assert_eq!(
            choose_channel(ContactChannel::Sms, mail, None),
            Some((NoticeChannel::Email, "a@example.com".into()))
        );
        assert_eq!(
            choose_channel(ContactChannel::Email, Some("  "), phone),
            Some((NoticeChannel::Sms, "+6283812345678".into()))
        );
        assert_eq!(choose_channel(ContactChannel::Email, None, None), None);
    }

    #[test]
    fn the_link_is_filled_in_only_where_the_template_put_it() {
        let typed = neutralise("Send it via {upload_link} please");
        assert!(!typed.contains(LINK_PLACEHOLDER));
        let body = format!("{typed}\nUpload here: {LINK_PLACEHOLDER}\n");
        let url = upload_url("https://desk.example/", "tok");
        assert_eq!(url, "https://desk.example/upload/tok");
        let sent = fill_link(&body, Some(&url));
        assert_eq!(sent.matches("https://desk.example/upload/tok").count(), 1);
        assert!(for_agents(&body).contains("Upload here: (secure upload link)"));
        assert!(!fill_link(&body, None).contains(LINK_PLACEHOLDER));
    }

    #[test]
    fn backoff_doubles_and_is_bounded() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(5), Duration::minutes(16));
        assert_eq!(backoff(8), Duration::minutes(120));
        assert_eq!(backoff(1000), Duration::minutes(120));
        assert_eq!(backoff(0), Duration::minutes(1));
        assert_eq!(after_failure(1, 6, false), Retry::At(Duration::minutes(1)));
        assert_eq!(after_failure(6, 6, false), Retry::GiveUp);
        assert_eq!(after_failure(1, 6, true), Retry::GiveUp);
    }

    #[test]
    fn statuses_read_as_plain_words() {
        let t = crate::i18n::Tr::new(crate::i18n::Locale::En);
        let words = |s, a, e| t.said(&status_words(s, a, e));
        assert_eq!(words("sent", 1, None), "sent");
        assert_eq!(words("pending", 0, None), "waiting to be sent");
        assert_eq!(words("no_gateway", 1, None), "not sent (no gateway)");
        assert_eq!(
            words("failed", 6, Some("550 no such mailbox")),
            "failed after 6 attempts: 550 no such mailbox"
        );
        assert_eq!(words("failed", 1, None), "failed after 1 attempt");
        assert!(words("pending", 2, Some("451")).contains("will retry"));
    }

    #[test]
    fn kinds_match_the_table() {
        let names: Vec<&str> = NoticeKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "received",
                "documents_requested",
                "approved",
                "rejected",
                "reminder",
                "expired",
                "withdrawn",
                "cancelled"
            ]
        );
        assert_eq!(last_four("0123456789"), "6789");
        assert_eq!(last_four("12"), "12");
    }
}
