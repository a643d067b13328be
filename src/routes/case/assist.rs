//! The case page's assisted-review card: the identity card's fields beside what was typed (with
//! the part of the image each was read from), the pre-check list, and the suggested next step.

use chrono::{DateTime, NaiveDate, Utc};
use fluent_bundle::FluentValue;

use crate::assist::compare;
use crate::domain::id_card::FieldCheck;
use crate::domain::money::{Currency, Money};
use crate::domain::nik::Nik;
use crate::domain::precheck::{Assessment, Check, Outcome, Suggestion};
use crate::routes::language::tr;
use crate::routes::local_time;
use crate::store::assist::ReadingRecord;

pub struct AssistView {
    /// "Checked at …", or why there is no checklist yet.
    pub status: String,
    pub checks: Vec<CheckView>,
    pub fields: Vec<FieldView>,
    /// Why the card could not be read, when it could not.
    pub reading_problem: Option<String>,
    pub suggestion: Option<SuggestionView>,
}

pub struct CheckView {
    pub label: String,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub evidence: String,
}

pub struct FieldView {
    pub label: String,
    pub typed: String,
    pub read: String,
    pub result: String,
    pub result_class: &'static str,
    pub crop: Option<Crop>,
}

/// A part of a document image, shown through an SVG view box (no image is cut on the server;
/// the view box gives the frame its proportions, so no inline style is needed under the CSP).
pub struct Crop {
    pub document_id: i64,
    pub view_box: String,
    pub width: u32,
    pub height: u32,
}

pub struct SuggestionView {
    pub value: &'static str,
    /// When the checks were made (microseconds): the form sends it back, so that only this
    /// checklist's suggestion is applied.
    pub assessed_at: String,
    pub headline: String,
    pub reasons: Vec<String>,
    /// The button's words; `None` for "needs a person" (nothing to apply).
    pub apply: Option<String>,
}

fn field_result(check: FieldCheck) -> (&'static str, &'static str) {
    match check {
        FieldCheck::Match => ("match", "assist-field-match"),
        FieldCheck::NearMatch => ("near", "assist-field-near"),
        FieldCheck::Mismatch => ("mismatch", "assist-field-mismatch"),
        FieldCheck::NotReadable => ("unreadable", "assist-field-unreadable"),
    }
}

fn crop(document_id: i64, bbox: Option<[u32; 4]>, page: Option<[u32; 2]>) -> Option<Crop> {
    let ([x, y, w, h], [width, height]) = (bbox?, page?);
    // A margin around the line, kept inside the image.
    let pad = 8;
    let (x0, y0) = (x.saturating_sub(pad), y.saturating_sub(pad));
    let (x1, y1) = ((x + w + pad).min(width), (y + h + pad).min(height));
    Some(Crop {
        document_id,
        view_box: format!("{x0} {y0} {} {}", x1 - x0, y1 - y0),
        width,
        height,
    })
}

fn evidence(check: &Check, currency: Currency) -> String {
    let t = tr();
    let mut args: Vec<(&str, FluentValue)> = Vec::new();
    if let Some(r) = &check.reference {
        args.push(("reference", r.clone().into()));
    }
    if let Some(n) = check.count {
        args.push(("count", n.into()));
    }
    if let Some(minor) = check.amount_minor {
        args.push(("amount", t.money(Money::new(minor, currency)).into()));
    }
    t.with(&check.evidence, &args)
}

fn outcome_class(outcome: Outcome) -> &'static str {
    outcome.as_str()
}

#[allow(clippy::too_many_arguments)]
pub fn view(
    assessment: Option<(Assessment, DateTime<Utc>)>,
    readings: &[ReadingRecord],
    typed_nik: &str,
    typed_name: &str,
    today: NaiveDate,
    currency: Currency,
    can_apply: bool,
    tz: chrono_tz::Tz,
) -> AssistView {
    let t = tr();
    let nik = Nik::parse(typed_nik).ok();
    // The newest card with a reading: the one the checks go by once it is read.
    let read = readings.first().filter(|r| r.status == "read");
    let fields = match read.and_then(|r| r.fields.as_ref().map(|f| (r, f))) {
        Some((reading, fields)) => {
            // A PDF's reading came from its first page rendered apart: no frame on the file.
            let framed = reading.media_type != "application/pdf";
            let document_id = reading.document_id;
            let checks = compare(fields, nik.as_ref(), typed_name, today);
            let masked = |digits: &str| match Nik::parse(digits) {
                Ok(n) => n.masked(),
                Err(_) if digits.len() > 4 => {
                    format!(
                        "{}{}",
                        "•".repeat(digits.len() - 4),
                        &digits[digits.len() - 4..]
                    )
                }
                Err(_) => "•".repeat(digits.len()),
            };
            let row = |label: &str,
                       typed: String,
                       read: Option<String>,
                       check: FieldCheck,
                       bbox: Option<[u32; 4]>| {
                let (class, words) = field_result(check);
                FieldView {
                    label: t.get(label),
                    typed,
                    read: read.unwrap_or_else(|| "—".into()),
                    result: t.get(words),
                    result_class: class,
                    crop: crop(document_id, bbox.filter(|_| framed), fields.page),
                }
            };
            vec![
                row(
                    "case-nik",
                    nik.as_ref().map(Nik::masked).unwrap_or_default(),
                    fields.nik.as_deref().map(masked),
                    checks.nik,
                    fields.boxes.nik,
                ),
                row(
                    "case-name",
                    typed_name.to_owned(),
                    fields.name.clone(),
                    checks.name,
                    fields.boxes.name,
                ),
                // Customers type no birth date: the card's is compared with the NIK's, and
                // neither is spelled out here (the crop shows the card's).
                row(
                    "assist-birth-date",
                    t.get("assist-birth-date-from-nik"),
                    fields
                        .birth_date
                        .map(|_| t.get("assist-birth-date-printed")),
                    checks.birth_date,
                    fields.boxes.birth_date,
                ),
            ]
        }
        None => Vec::new(),
    };
    let reading_problem = match (read, readings.first()) {
        (None, Some(r)) if r.status == "failed" => Some(
            t.with(
                "assist-reading-failed",
                &[(
                    "why",
                    t.get(&format!(
                        "assist-failure-{}",
                        r.failure.as_deref().unwrap_or("engine_error")
                    ))
                    .into(),
                )],
            ),
        ),
        _ => None,
    };
    let Some((assessment, at)) = assessment else {
        return AssistView {
            status: t.get("assist-not-yet"),
            checks: Vec::new(),
            fields,
            reading_problem,
            suggestion: None,
        };
    };
    let checks = assessment
        .checks
        .iter()
        .map(|c| CheckView {
            label: t.get(c.kind.message_id()),
            outcome: t.get(c.outcome.message_id()),
            outcome_class: outcome_class(c.outcome),
            evidence: evidence(c, currency),
        })
        .collect();
    let s = assessment.suggestion;
    let headline = match (s, &assessment.duplicate_of) {
        (Suggestion::RejectDuplicate, Some(of)) => t.with(
            "assist-suggest-duplicate-of",
            &[("reference", of.clone().into())],
        ),
        _ => t.get(s.message_id()),
    };
    let apply = (can_apply && s != Suggestion::NeedsPerson)
        .then(|| t.get(&format!("assist-apply-{}", s.as_str())));
    AssistView {
        status: t.with("assist-checked-at", &[("at", local_time(at, tz).into())]),
        checks,
        fields,
        reading_problem,
        suggestion: Some(SuggestionView {
            value: s.as_str(),
            assessed_at: at.timestamp_micros().to_string(),
            headline,
            reasons: assessment.reasons.iter().map(|r| t.get(r)).collect(),
            apply,
        }),
    }
}
