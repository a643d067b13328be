//! Something the app says to a person, as a message id and what fills it: the domain chooses
//! what to say, the page words it in the reader's language (`i18n::Tr::said`).

use chrono::NaiveDate;

use super::document::DocumentKind;
use super::request::RejectReason;
use super::upload::UploadRefusal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub id: &'static str,
    pub args: Vec<(&'static str, Fill)>,
}

/// What fills a message: worded in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fill {
    Date(NaiveDate),
    /// A kind of document as a label ("Identity card").
    Kind(DocumentKind),
    /// Kinds of document inside a sentence ("identity card, bank account proof").
    Kinds(Vec<DocumentKind>),
    Reason(RejectReason),
    Refusal(UploadRefusal),
    Number(i64),
    /// A case's state inside a sentence ("a case that is in review").
    StateName(super::case::State),
    /// Text as typed (a filter value, a name): shown as it is.
    Text(String),
    /// Another message, worded in the same language (a field's name inside a sentence).
    Message(&'static str),
}

impl Said {
    pub fn new(id: &'static str) -> Said {
        Said { id, args: vec![] }
    }

    pub fn with(id: &'static str, name: &'static str, fill: Fill) -> Said {
        Said {
            id,
            args: vec![(name, fill)],
        }
    }

    /// One more fill.
    pub fn fill(mut self, name: &'static str, fill: Fill) -> Said {
        self.args.push((name, fill));
        self
    }
}
