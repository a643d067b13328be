//! `GET /cases/{reference}`: everything about one case, and its decision forms.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::types::Json;

use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::domain::case::fee_applies;
use crate::domain::case::{Action, State, transition};
use crate::domain::decision::FieldErrors;
use crate::domain::document::{DocumentKind, MediaType, Verdict};
use crate::domain::event::{ActorKind, EventKind};
use crate::domain::money::{Currency, Money};
use crate::domain::msisdn::Msisdn;
use crate::domain::nik::Nik;
use crate::domain::notice::{for_agents, status_words};
use crate::domain::reference::CaseReference;
use crate::domain::request::Settlement;
use crate::domain::retention::RetentionPeriod;
use crate::error::{AppError, AppResult};
use crate::routes::language::tr;
use crate::routes::{
    Choice, Chrome, document_kind_choices, local_date, local_time, reject_reason_choices, render,
};
use crate::state::AppState;
use crate::store::agents::{self, AgentRecord};
use crate::store::cases::{self, CaseRecord};
use crate::store::documents::DocumentRecord;
use crate::store::history::EventRecord;
use crate::store::notices::NoticeRecord;
use crate::store::retention::CaseRetention;
use fluent_bundle::FluentValue;

/// What the agent typed into the case page's forms, kept when a form comes back with an error.
#[derive(Debug, Default, Clone)]
pub struct Forms {
    /// The form that was sent: `approve`, `reject`, `request`, `note`, `assign`, `claim`, `verdict`.
    pub active: Option<&'static str>,
    pub error: Option<String>,
    pub fields: FieldErrors,
    pub effective_date: String,
    pub confirm_fee: bool,
    pub confirm_settlement: bool,
    pub reject_reason: String,
    pub reject_message: String,
    pub request_kinds: Vec<String>,
    pub request_message: String,
    pub request_deadline: String,
    pub note: String,
    pub assign_to: String,
    pub verdict_document: Option<i64>,
    pub verdict_reason: String,
    pub reopen_reason: String,
    pub hold_reason: String,
}

impl Forms {
    pub fn error_for(&self, form: &str) -> Option<&str> {
        self.error.as_deref().filter(|_| self.active == Some(form))
    }

    /// The problem of a field of the form that was sent, worded in the request's language.
    pub fn field(&self, form: &str, name: &str) -> Option<String> {
        if self.active != Some(form) {
            return None;
        }
        self.fields.0.get(name).map(|said| tr().said(said))
    }

    pub fn verdict_error(&self, document: &i64) -> Option<String> {
        if self.verdict_document != Some(*document) {
            return None;
        }
        self.error_for("verdict")
            .map(str::to_owned)
            .or_else(|| self.field("verdict", "verdict_reason"))
            .or_else(|| self.field("verdict", "verdict"))
    }

    pub fn verdict_reason_for(&self, document: &i64) -> &str {
        if self.verdict_document == Some(*document) {
            &self.verdict_reason
        } else {
            ""
        }
    }
}

pub struct DocumentView {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub media_type: String,
    pub is_image: bool,
    pub is_identity: bool,
    pub size: String,
    pub sha256: String,
    pub uploaded: String,
    pub verdict: String,
    pub verdict_class: &'static str,
    pub verdict_note: Option<String>,
    pub other_cases: String,
    /// The image's text alternative.
    pub alt: String,
    /// "removed on DATE under the retention policy": the bytes are gone, the rest stays.
    pub removed: Option<String>,
}

/// A supervisor's legal hold, as the case page shows it.
pub struct HoldView {
    pub reason: String,
    pub placed: String,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub title: String,
    pub transition: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub detail: Option<String>,
    pub is_note: bool,
    /// The bulk action this was part of (its report).
    pub bulk: Option<String>,
    /// A notice to the customer (the timeline shows them among the events).
    pub notice: Option<NoticeLine>,
}

/// A notice on the timeline: how it went out and what it said (the link never shown).
pub struct NoticeLine {
    pub channel: String,
    pub status: String,
    pub status_class: String,
    pub subject: String,
    pub body: String,
}

pub fn notice_view(n: NoticeRecord, tz: chrono_tz::Tz) -> EventView {
    let t = tr();
    let kind = t.get(n.kind.message_id());
    let mut status = t.said(&status_words(
        &n.status,
        n.attempts,
        n.last_error.as_deref(),
    ));
    if let Some(at) = n.sent_at {
        status = format!("{status} {}", local_time(at, tz));
    }
    EventView {
        at: local_time(n.created_at, tz),
        actor: t.get("timeline-notice-actor"),
        title: t.with("timeline-notice-title", &[("kind", kind.into())]),
        transition: None,
        reason: None,
        message: None,
        detail: None,
        is_note: false,
        bulk: None,
        notice: Some(NoticeLine {
            channel: t.with(
                "timeline-by",
                &[("channel", t.get(n.channel.message_id()).into())],
            ),
            status,
            status_class: n.status,
            subject: n.subject,
            body: for_agents(&n.body),
        }),
    }
}

#[derive(Template)]
#[template(path = "case/page.html")]
pub struct CasePage {
    pub chrome: Chrome,
    pub reference: String,
    pub version: i32,
    pub state: String,
    pub state_class: &'static str,
    pub assignee: String,
    /// Name, channel, received, age and due, in one line.
    pub meta: String,
    pub fee_flag: String,
    pub balance_flag: String,
    pub confirm_fee_label: String,
    pub confirm_settlement_label: String,
    /// The customer's language (their notices are written in it).
    pub customer_locale: crate::i18n::Locale,
    pub mine: bool,
    pub is_supervisor: bool,
    pub channel: String,
    pub submitted: String,
    pub age: String,
    pub due: String,
    pub priority: bool,
    pub documents_received: bool,
    pub duplicate_line: bool,
    /// The line is not in billing, or under another account.
    pub billing_problem: Option<String>,
    // Customer
    pub customer_name: String,
    pub nik: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub preferred_contact: String,
    // Line and contract
    pub msisdn: String,
    pub account_number: String,
    pub line_type: String,
    pub activation_date: String,
    pub min_term_end: String,
    pub fee: String,
    pub fee_applies: bool,
    pub balance: String,
    pub large_balance: bool,
    pub bound_services: String,
    // Request
    pub reason: String,
    pub reason_text: String,
    pub settlement: String,
    pub settlement_detail: String,
    pub requested_effective_date: String,
    pub consent: bool,
    // Decision so far
    pub decision: Option<String>,
    pub documents: Vec<DocumentView>,
    /// When the documents are due for removal, or why they are kept.
    pub retention_note: Option<String>,
    pub hold: Option<HoldView>,
    pub can_hold: bool,
    pub identity_accepted: bool,
    pub events: Vec<EventView>,
    pub notes: Vec<EventView>,
    // What the agent may do now
    pub can_claim: bool,
    pub can_assign: bool,
    pub can_decide: bool,
    pub can_review_documents: bool,
    pub can_reopen: bool,
    /// Assisted review: the card's fields, the pre-checks and the suggestion.
    pub assist: Option<super::assist::AssistView>,
    /// The cancellation order, once the case is approved.
    pub provisioning: Option<super::provisioning::ProvisioningView>,
    pub provisioning_failed: bool,
    pub can_reissue: bool,
    /// The refund the customer chose, once the case is approved.
    pub refund: Option<String>,
    pub decide_hint: Option<String>,
    pub agents: Vec<Choice>,
    pub reject_reasons: Vec<Choice>,
    pub document_kinds: Vec<Choice>,
    pub forms: Forms,
    pub today: String,
    pub default_deadline: String,
}

fn money(minor: i64, currency: Currency) -> String {
    tr().money(Money::new(minor, currency))
}

fn size(bytes: i32) -> String {
    let t = tr();
    match bytes {
        b if b >= 1024 * 1024 => {
            let tenths = (f64::from(b) / 1_048_576.0 * 10.0).round() as i64;
            let megabytes = format!("{}.{}", tenths / 10, tenths % 10);
            t.with("size-mb", &[("size", megabytes.into())])
        }
        b if b >= 1024 => t.with("size-kb", &[("size", (b / 1024).into())]),
        b => t.with("size-bytes", &[("size", b.into())]),
    }
}

fn document_view(
    d: DocumentRecord,
    removed: Option<DateTime<Utc>>,
    tz: chrono_tz::Tz,
) -> DocumentView {
    let t = tr();
    let verdict = d.verdict;
    let by = match (d.uploaded_by_kind, d.uploader_name) {
        (ActorKind::Agent, Some(name)) => name,
        (ActorKind::Agent, None) => t.get("document-by-an-agent"),
        _ => t.get("document-by-the-customer"),
    };
    let verdict_note = match (verdict, d.verdict_by_name, d.verdict_at) {
        (Verdict::Pending, _, _) => None,
        (_, name, at) => {
            let mut note = t.with(
                "document-verdict-by",
                &[
                    (
                        "agent",
                        name.unwrap_or_else(|| t.get("document-by-an-agent")).into(),
                    ),
                    (
                        "at",
                        at.map(|a| local_time(a, tz)).unwrap_or_default().into(),
                    ),
                ],
            );
            if let Some(reason) = d.verdict_reason {
                note = format!("{note}: {reason}");
            }
            Some(note)
        }
    };
    DocumentView {
        id: d.id,
        kind: t.get(d.kind.message_id()),
        is_identity: d.kind == DocumentKind::IdentityCard,
        is_image: MediaType::parse(&d.media_type).is_some_and(MediaType::is_image),
        media_type: d.media_type,
        file_name: d.file_name,
        size: size(d.size_bytes),
        sha256: hex::encode(&d.sha256[..8.min(d.sha256.len())]),
        uploaded: t.with(
            "document-uploaded",
            &[
                ("at", local_time(d.uploaded_at, tz).into()),
                ("by", by.into()),
            ],
        ),
        verdict: t.get(verdict.message_id()),
        verdict_class: verdict.as_str(),
        verdict_note,
        other_cases: match d.other_cases {
            0 => String::new(),
            n => t.with("document-same-file", &[("count", n.min(10).into())]),
        },
        removed: removed
            .map(|at| t.with("document-removed-on", &[("day", local_day(at, tz).into())])),
        alt: t.with(
            "document-image-alt",
            &[("kind", t.get(d.kind.message_id()).into())],
        ),
    }
}

/// The day of an instant at the desk.
fn local_day(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    local_date(at.with_timezone(&tz).date_naive())
}

/// What the documents card says about retention: held, removed, due on a day, or nothing yet.
fn retention_note(
    retention: &CaseRetention,
    period: RetentionPeriod,
    any_kept: bool,
    tz: chrono_tz::Tz,
) -> Option<String> {
    let t = tr();
    if retention.hold_reason.is_some() {
        return Some(t.get("retention-on-hold"));
    }
    match retention.retention_from {
        Some(from) if any_kept => Some(t.with(
            "retention-due",
            &[
                ("day", local_day(period.removal_due(from), tz).into()),
                ("days", period.in_days().into()),
            ],
        )),
        _ => None,
    }
}

pub fn event_view(e: EventRecord, tz: chrono_tz::Tz) -> EventView {
    let t = tr();
    let actor = match (e.actor_kind, e.actor_name) {
        (ActorKind::Agent, Some(name)) => name,
        (ActorKind::Agent, None) => t.get("timeline-someone"),
        (kind, _) => t.get(kind.message_id()),
    };
    let Json(details) = e.details;
    let transition = match (e.from_state, e.to_state) {
        (Some(from), Some(to)) if from != to => Some(format!(
            "{} → {}",
            t.get(from.message_id()),
            t.get(to.message_id())
        )),
        _ => None,
    };
    let day = |d: Option<NaiveDate>| FluentValue::from(d.map(local_date).unwrap_or_default());
    let detail = match e.kind {
        EventKind::Approved => {
            let day = [("day", day(details.effective_date))];
            Some(if details.fee_minor.unwrap_or(0) > 0 {
                t.with("timeline-approved-fee", &day)
            } else {
                t.with("timeline-approved-no-fee", &day)
            })
        }
        EventKind::DocumentsRequested => {
            let kinds: Vec<String> = details
                .kinds
                .iter()
                .map(|k| t.get(k.message_id()))
                .collect();
            Some(t.with(
                "timeline-documents-requested",
                &[
                    ("kinds", kinds.join(", ").into()),
                    ("day", day(details.deadline)),
                ],
            ))
        }
        _ => None,
    };
    EventView {
        at: local_time(e.at, tz),
        actor,
        title: t.said(&e.kind.title(&details)),
        transition,
        reason: e.reason_code.map(|r| t.get(r.message_id())),
        message: e.message,
        detail,
        is_note: e.kind == EventKind::Note,
        bulk: details.bulk,
        notice: None,
    }
}

/// Builds the case page for `reference` with the given form state.
pub async fn case_page(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    reference: &CaseReference,
    forms: Forms,
) -> AppResult<CasePage> {
    // One connection for the page's reads: taking one from the pool and giving it back per
    // statement cost more than some of the statements.
    let mut conn = state.pool.acquire().await?;
    let cases::CasePageRecord {
        mut case,
        documents: Json(documents),
        events: Json(events),
        notices: Json(notices),
        prechecks,
        assessed_at,
        readings: Json(readings),
    } = cases::find_for_page(&mut *conn, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    // Removed documents come with the documents' own rows (one statement less per view).
    let removed = documents
        .iter()
        .filter_map(|d| d.removed_at.map(|at| (d.id, at)))
        .collect::<HashMap<_, _>>();
    // Orders and refunds are written with an approval: a case never approved has neither, and
    // the queue's cases (the desk's most opened) are spared two round trips.
    let (orders, refund) = if case.facts.order.is_some() {
        (
            crate::store::orders::for_case(&mut *conn, case.id).await?,
            crate::store::settlements::for_case(&mut *conn, case.id).await?,
        )
    } else {
        (Vec::new(), None)
    };
    let assessment = prechecks.zip(assessed_at).map(|(Json(a), at)| (a, at));
    let agents = if agent.is_supervisor() {
        agents::list_active(&mut *conn).await?
    } else {
        Vec::new()
    };
    drop(conn);
    let documents = Documents {
        list: documents,
        retention: std::mem::take(&mut case.retention),
        removed,
    };
    let currency = case.currency;
    // Suggestions are for cases that need action (a waiting case is checked again on its answer).
    let open = matches!(case.facts.state, State::Submitted | State::InReview);
    let (typed_nik, typed_name) = (case.customer_nik.clone(), case.customer_name.clone());
    let mut page = build(
        state, agent, session, case, documents, events, notices, agents, forms,
    );
    page.provisioning = super::provisioning::view(
        &orders,
        state.settings.provisioning_webhook_url.is_some(),
        currency,
        state.tz,
    );
    page.refund = refund.map(|item| super::provisioning::refund_line(&item, state.tz));
    if assessment.is_some() || !readings.is_empty() {
        let mut assist = super::assist::view(
            assessment,
            &readings,
            &typed_nik,
            &typed_name,
            state.today(),
            currency,
            page.can_decide || page.can_claim,
            state.tz,
        );
        if !open {
            assist.suggestion = None; // Decided or waiting: nothing to suggest now.
        }
        page.assist = Some(assist);
    }
    Ok(page)
}

/// The case's documents with what retention did to them.
struct Documents {
    list: Vec<DocumentRecord>,
    retention: CaseRetention,
    /// Removed documents and when.
    removed: HashMap<i64, DateTime<Utc>>,
}

#[allow(clippy::too_many_arguments)]
fn build(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    case: CaseRecord,
    documents: Documents,
    events: Vec<EventRecord>,
    notices: Vec<NoticeRecord>,
    agents: Vec<AgentRecord>,
    mut forms: Forms,
) -> CasePage {
    let tz = state.tz;
    let now = Utc::now();
    let today = state.today();
    let t = tr();
    let facts = case.facts;
    let case_state = facts.state;
    let allowed = |action| transition(facts, agent.actor(), action).is_ok();
    let can_decide = allowed(Action::Reject);
    let decide_hint = if can_decide {
        None
    } else {
        match transition(facts, agent.actor(), Action::Reject) {
            Err(crate::domain::case::Refusal::NotInThisState {
                state: State::Submitted,
                ..
            }) => Some(t.get("case-claim-to-decide")),
            Err(r) => Some(t.said(&r.said())),
            Ok(_) => None,
        }
    };
    let currency = case.currency;
    let fee_now = fee_applies(
        facts.min_term_end,
        case.requested_effective_date,
        facts.fee_minor,
    );
    let settlement = case.settlement;
    let settlement_detail = match settlement {
        Settlement::Refund => t.with(
            "case-refund-account",
            &[
                ("bank", case.refund_bank.clone().unwrap_or_default().into()),
                (
                    "account",
                    case.refund_account.clone().unwrap_or_default().into(),
                ),
            ],
        ),
        Settlement::Transfer => case
            .transfer_msisdn
            .clone()
            .map(|m| Msisdn::from_e164(m).to_string())
            .unwrap_or_default(),
        Settlement::Forfeit => t.get("case-forfeit"),
    };
    let due = if case_state.sla_paused() {
        t.get("case-due-paused")
    } else if !case_state.is_open() {
        "—".to_owned()
    } else if case.sla_due_at < now {
        t.with(
            "case-overdue-by",
            &[("time", t.duration(now - case.sla_due_at).into())],
        )
    } else {
        t.with(
            "case-due-in",
            &[
                ("time", t.duration(case.sla_due_at - now).into()),
                ("at", local_time(case.sla_due_at, tz).into()),
            ],
        )
    };
    let decision = match case_state {
        State::Approved | State::Cancelled => case
            .effective_date
            .map(|d| t.with("case-decision-effective", &[("day", local_date(d).into())])),
        State::Rejected => case.decision_reason.map(|r| {
            t.with(
                "case-decision-rejected",
                &[("reason", t.get(r.message_id()).into())],
            )
        }),
        State::AwaitingDocuments => {
            let kinds: Vec<String> = case
                .requested_kinds
                .iter()
                .map(|k| t.get(k.message_id()))
                .collect();
            Some(
                t.with(
                    "case-decision-waiting",
                    &[
                        ("kinds", kinds.join(", ").into()),
                        (
                            "deadline",
                            case.documents_deadline
                                .map(|d| local_time(d, tz))
                                .unwrap_or_default()
                                .into(),
                        ),
                    ],
                ),
            )
        }
        _ => None,
    };
    if forms.effective_date.is_empty() {
        forms.effective_date = case.requested_effective_date.max(today).to_string();
    }
    if forms.request_deadline.is_empty() {
        forms.request_deadline =
            (today + Duration::days(state.settings.documents_deadline_days)).to_string();
    }
    let (notes, events): (Vec<_>, Vec<_>) = events
        .into_iter()
        .map(|e| (e.at, 0, event_view(e, tz)))
        .partition(|(_, _, e)| e.is_note);
    let notes: Vec<EventView> = notes.into_iter().map(|(_, _, e)| e).collect();
    // Notices among the events, by time; a notice after the event it was written with.
    let mut timeline = events;
    timeline.extend(
        notices
            .into_iter()
            .map(|n| (n.created_at, 1, notice_view(n, tz))),
    );
    timeline.sort_by_key(|(at, order, _)| (*at, *order));
    let events: Vec<EventView> = timeline.into_iter().map(|(_, _, e)| e).collect();
    // Facts of a line billing does not know (under this account) are not known, not zero.
    let billing_known = facts.billing_known;
    let unknown = t.get("case-not-in-billing");
    let none = t.get("case-none");
    let balance = Money::new(case.balance_minor, currency);
    let mut page = CasePage {
        meta: String::new(),
        fee_flag: String::new(),
        balance_flag: String::new(),
        confirm_fee_label: String::new(),
        confirm_settlement_label: String::new(),
        customer_locale: case.locale,
        chrome: Chrome::new(Some(agent), session),
        version: case.version,
        state: t.get(case_state.message_id()),
        state_class: case_state.as_str(),
        mine: facts.assignee == Some(agent.id),
        assignee: case
            .assignee_name
            .clone()
            .unwrap_or_else(|| t.get("case-unassigned")),
        is_supervisor: agent.is_supervisor(),
        channel: t.get(case.channel.message_id()),
        submitted: local_time(case.submitted_at, tz),
        age: t.duration(now - case.submitted_at),
        due,
        priority: facts.priority > 0,
        documents_received: case.documents_received,
        duplicate_line: case.duplicate_line,
        nik: Nik::parse(&case.customer_nik)
            .map(|n| n.masked())
            .unwrap_or_else(|_| t.get("case-nik-invalid")),
        contact_email: case.contact_email.clone().unwrap_or_else(|| "—".into()),
        contact_phone: case
            .contact_phone
            .clone()
            .map(|p| Msisdn::from_e164(p).to_string())
            .unwrap_or_else(|| "—".into()),
        preferred_contact: t.get(case.preferred_contact.message_id()),
        msisdn: Msisdn::from_e164(case.msisdn.clone()).to_string(),
        account_number: case.account_number.clone(),
        line_type: t.get(case.line_type.message_id()),
        billing_problem: match case.billing_status.as_str() {
            "not_found" => Some(t.get("case-billing-not-found")),
            "account_mismatch" => Some(t.get("case-billing-account-mismatch")),
            _ => None,
        },
        activation_date: case
            .activation_date
            .map(local_date)
            .unwrap_or_else(|| unknown.clone()),
        min_term_end: match (billing_known, facts.min_term_end) {
            (false, _) => unknown.clone(),
            (true, Some(day)) => local_date(day),
            (true, None) => none.clone(),
        },
        fee: if billing_known {
            money(facts.fee_minor, currency)
        } else {
            unknown.clone()
        },
        fee_applies: fee_now,
        large_balance: case.balance_minor >= crate::domain::precheck::LARGE_BALANCE_MINOR,
        balance: if billing_known {
            t.money(balance)
        } else {
            unknown.clone()
        },
        bound_services: if case.bound_services.is_empty() {
            none.clone()
        } else {
            case.bound_services.join(", ")
        },
        reason: t.get(case.reason.message_id()),
        reason_text: case.reason_text.clone().unwrap_or_default(),
        settlement: t.get(settlement.message_id()),
        settlement_detail,
        requested_effective_date: local_date(case.requested_effective_date),
        consent: case.consent,
        decision,
        retention_note: retention_note(
            &documents.retention,
            state.settings.retention_period(),
            documents.list.len() > documents.removed.len(),
            tz,
        ),
        hold: match (
            &documents.retention.hold_reason,
            documents.retention.hold_at,
        ) {
            (Some(reason), Some(at)) => Some(HoldView {
                reason: reason.clone(),
                placed: t.with(
                    "hold-placed",
                    &[
                        (
                            "agent",
                            documents
                                .retention
                                .hold_by
                                .clone()
                                .unwrap_or_else(|| t.get("hold-a-supervisor"))
                                .into(),
                        ),
                        ("at", local_time(at, tz).into()),
                    ],
                ),
            }),
            _ => None,
        },
        can_hold: agent.is_supervisor(),
        documents: documents
            .list
            .into_iter()
            .map(|d| {
                let removed = documents.removed.get(&d.id).copied();
                document_view(d, removed, tz)
            })
            .collect(),
        identity_accepted: facts.identity_accepted,
        events,
        notes,
        can_claim: allowed(Action::Claim),
        can_assign: agent.is_supervisor() && allowed(Action::Assign { to: agent.id }),
        can_decide,
        can_review_documents: allowed(Action::Review),
        can_reopen: allowed(Action::Reopen),
        // Filled in by `case_page`, which reads the orders, the refund and the readings.
        assist: None,
        provisioning: None,
        refund: None,
        provisioning_failed: case.provisioning_failed,
        can_reissue: allowed(Action::ReissueOrder),
        decide_hint,
        agents: agents
            .into_iter()
            .map(|a| Choice {
                selected: forms.assign_to == a.id.0.to_string()
                    || (forms.assign_to.is_empty() && facts.assignee == Some(a.id)),
                value: a.id.0.to_string(),
                label: format!("{} ({})", a.name, t.get(a.role.message_id())),
            })
            .collect(),
        reject_reasons: reject_reason_choices(&forms.reject_reason),
        document_kinds: document_kind_choices(&forms.request_kinds),
        today: today.to_string(),
        default_deadline: forms.request_deadline.clone(),
        reference: case.reference,
        customer_name: case.customer_name,
        forms,
    };
    page.meta = t.with(
        "case-meta",
        &[
            ("name", page.customer_name.as_str().into()),
            ("channel", page.channel.as_str().into()),
            ("received", page.submitted.as_str().into()),
            ("age", page.age.as_str().into()),
            ("due", page.due.as_str().into()),
        ],
    );
    page.fee_flag = t.with("case-fee-flag", &[("fee", page.fee.as_str().into())]);
    page.balance_flag = t.with(
        "case-balance-flag",
        &[("balance", page.balance.as_str().into())],
    );
    page.confirm_fee_label = t.with(
        "case-confirm-fee",
        &[
            ("fee", page.fee.as_str().into()),
            ("day", page.min_term_end.as_str().into()),
        ],
    );
    page.confirm_settlement_label = t.with(
        "case-confirm-settlement",
        &[
            ("balance", page.balance.as_str().into()),
            ("settlement", page.settlement.as_str().into()),
            ("detail", page.settlement_detail.as_str().into()),
        ],
    );
    page
}

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let reference = super::reference(&path)?;
    let page = case_page(&state, &agent, &session, &reference, Forms::default()).await?;
    render(StatusCode::OK, &page)
}
