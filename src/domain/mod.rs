//! Pure types and rules of the desk: no I/O, no HTTP, no SQL.

pub mod agent;
pub mod application;
pub mod billing_line;
pub mod bulk;
pub mod case;
pub mod customer_name;
pub mod customer_status;
pub mod decision;
pub mod document;
pub mod effects;
pub mod event;
pub mod id_card;
mod labels;
pub mod money;
pub mod msisdn;
pub mod nik;
pub mod notice;
pub mod order;
pub mod password_policy;
pub mod precheck;
pub mod queue;
pub mod reference;
pub mod report;
pub mod request;
pub mod retention;
pub mod said;
pub mod saved_view;
pub mod second_factor;
pub mod settlement;
pub mod sla;
pub mod templates;
pub mod throttle;
pub mod token_grant;
pub mod upload;

/// A rule's message as a sentence for a page: "the identity number has 16 digits" → "The
/// identity number has 16 digits."
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
