//! Supervisor pages: `GET /admin/audit`, the audit trail searched by action, agent or target.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Choice, Chrome, local_time, render};
use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::domain::agent::AgentId;
use crate::error::AppResult;
use crate::startup::AppState;
use crate::store::agents;
use crate::store::audit::{self, AuditAction, AuditQuery};

const PER_PAGE: i64 = 100;

#[derive(Deserialize)]
pub struct AuditParams {
    action: Option<String>,
    agent: Option<String>,
    target: Option<String>,
    before: Option<String>,
}

pub struct AuditView {
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditView>,
    actions: Vec<Choice>,
    agents: Vec<Choice>,
    target: String,
    next: Option<String>,
}

pub async fn audit_page(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    params: web::Query<AuditParams>,
) -> AppResult<HttpResponse> {
    let action = params.action.as_deref().and_then(AuditAction::parse);
    let actor = params
        .agent
        .as_deref()
        .and_then(|a| a.parse().ok())
        .map(AgentId);
    let target = params
        .target
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let before = params.before.as_deref().and_then(|b| {
        let (micros, id) = b.split_once('_')?;
        Some((
            DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?,
            id.parse().ok()?,
        ))
    });
    let query = AuditQuery {
        action,
        actor,
        target: target.clone(),
        before,
    };
    let mut rows = audit::search(&state.pool, &query, PER_PAGE + 1).await?;
    let next = if rows.len() as i64 > PER_PAGE {
        rows.truncate(PER_PAGE as usize);
        rows.last().map(|r| {
            let mut link = format!("/admin/audit?before={}_{}", r.at.timestamp_micros(), r.id);
            if let Some(a) = action {
                link.push_str(&format!("&action={}", a.as_str()));
            }
            if let Some(a) = actor {
                link.push_str(&format!("&agent={}", a.0));
            }
            if let Some(t) = &target {
                link.push_str(&format!(
                    "&target={}",
                    crate::auth::guard::encode_query_value(t)
                ));
            }
            link
        })
    } else {
        None
    };
    let everyone = agents::list_active(&state.pool).await?;
    let mut actions = vec![Choice {
        value: String::new(),
        label: "Any action".into(),
        selected: action.is_none(),
    }];
    actions.extend(AuditAction::ALL.iter().map(|a| Choice {
        value: a.as_str().into(),
        label: a.as_str().replace('_', " "),
        selected: action == Some(*a),
    }));
    let mut agent_choices = vec![Choice {
        value: String::new(),
        label: "Anyone".into(),
        selected: actor.is_none(),
    }];
    agent_choices.extend(everyone.into_iter().map(|a| Choice {
        selected: actor == Some(a.id),
        value: a.id.0.to_string(),
        label: a.name,
    }));
    let page = AuditPage {
        chrome: Chrome::new(Some(&agent), &session),
        rows: rows
            .into_iter()
            .map(|r| AuditView {
                at: local_time(r.at, state.tz),
                actor: r.actor_name.unwrap_or_else(|| "—".into()),
                address: r.address.unwrap_or_default(),
                action: r.action.replace('_', " "),
                target: r.target.unwrap_or_default(),
                detail: if r.detail.as_object().is_some_and(|o| o.is_empty()) {
                    String::new()
                } else {
                    r.detail.to_string()
                },
            })
            .collect(),
        actions,
        agents: agent_choices,
        target: target.unwrap_or_default(),
        next,
    };
    render(StatusCode::OK, &page)
}
