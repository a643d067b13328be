//! Supervisor pages: `GET /admin/audit`, the audit trail searched by action, agent or target;
//! agent accounts and the desk's sign-in settings; API tokens (`tokens`); refunds for finance
//! (`settlements`); billing imports (`billing`).

pub mod billing;
pub mod settlements;
pub mod tokens;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::form::HtmlForm;
use super::{Choice, Chrome, local_time, render};
use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::domain::agent::AgentId;
use crate::domain::agent::{Email, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::audit::{self, AuditAction, AuditQuery};
use crate::store::sessions;
use crate::store::{agents, desk_settings, second_factor};

const PER_PAGE: i64 = 100;

/// The one file of an admin upload form (field `file`), read within `max_bytes` and `seconds`;
/// `Err` is the sentence to show (nothing was changed).
pub async fn uploaded_file(
    req: &actix_web::HttpRequest,
    payload: web::Payload,
    max_bytes: usize,
    seconds: u64,
    what: &str,
) -> Result<super::customer::multipart::ReceivedFile, String> {
    use super::customer::multipart::{self, Limits};
    let limits = Limits {
        max_file_bytes: max_bytes,
        max_files: 1,
        body_time: std::time::Duration::from_secs(seconds),
    };
    let form = multipart::read(req, payload, limits)
        .await
        .map_err(|refused| {
            let t = crate::routes::language::tr();
            t.with("admin-file-refused", &[("why", refused.words(t).into())])
        })?;
    form.files
        .into_iter()
        .find(|f| f.field == "file")
        .ok_or_else(|| {
            let t = crate::routes::language::tr();
            t.with("admin-choose-file", &[("what", t.get(what).into())])
        })
}

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
        label: crate::routes::language::tr().get("admin-any-action"),
        selected: action.is_none(),
    }];
    actions.extend(AuditAction::ALL.iter().map(|a| Choice {
        value: a.as_str().into(),
        label: crate::routes::language::tr().get(&a.message_id()),
        selected: action == Some(*a),
    }));
    let mut agent_choices = vec![Choice {
        value: String::new(),
        label: crate::routes::language::tr().get("admin-anyone"),
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
                // An action this version no longer knows is shown by its stored name.
                action: AuditAction::parse(&r.action).map_or_else(
                    || r.action.replace('_', " "),
                    |a| crate::routes::language::tr().get(&a.message_id()),
                ),
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

// ---- Agent accounts (`/admin/agents`) -------------------------------------------------------

pub struct AccountView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub active: bool,
    pub must_change_password: bool,
    pub second_factor: bool,
    pub sessions: i64,
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "admin/agents.html")]
struct AgentsPage {
    chrome: Chrome,
    accounts: Vec<AccountView>,
    /// A one-time password just set, shown once: (for whom, password).
    issued: Option<(String, String)>,
    error: Option<String>,
    form_email: String,
    form_name: String,
    /// The desk requires a second factor of everyone.
    require_second_factor: bool,
}

/// A temporary password: 16 characters that cannot be misread when read out.
fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..16)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn agents_page(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    issued: Option<(String, String)>,
    error: Option<String>,
    form: Option<&NewAgentForm>,
) -> AppResult<AgentsPage> {
    let accounts = agents::list_all(&state.pool).await?;
    Ok(AgentsPage {
        chrome: Chrome::new(Some(agent), session),
        accounts: accounts
            .into_iter()
            .map(|a| AccountView {
                is_me: a.id == agent.id.0,
                id: a.id,
                name: a.name,
                email: a.email,
                role: a.role,
                active: a.active,
                must_change_password: a.must_change_password,
                second_factor: a.second_factor,
                sessions: a.sessions,
            })
            .collect(),
        issued,
        error,
        form_email: form.map(|f| f.email.clone()).unwrap_or_default(),
        form_name: form.map(|f| f.name.clone()).unwrap_or_default(),
        require_second_factor: desk_settings::require_second_factor(&state.pool).await?,
    })
}

pub async fn agents_list(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    render(
        StatusCode::OK,
        &agents_page(&state, &agent, &session, None, None, None).await?,
    )
}

#[derive(Deserialize)]
pub struct NewAgentForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

async fn account_changed(
    state: &AppState,
    by: &CurrentAgent,
    target: i64,
    change: &str,
) -> AppResult<()> {
    by.audit(
        &state.pool,
        AuditAction::AccountChanged,
        Some(&format!("agent/{target}")),
        serde_json::json!({ "change": change }),
    )
    .await?;
    Ok(())
}

pub async fn agents_create(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<NewAgentForm>,
) -> AppResult<HttpResponse> {
    let problem = match (
        Email::parse(&form.email),
        Role::parse(&form.role),
        form.name.trim(),
    ) {
        (Err(_), _, _) => Some(crate::routes::language::tr().get("error-email")),
        (_, None, _) => Some(crate::routes::language::tr().get("admin-choose-role")),
        (_, _, "") => Some(crate::routes::language::tr().get("admin-enter-name")),
        (Ok(email), Some(role), name) => {
            let password = temporary_password();
            let hash = crate::auth::password::hash(password.clone()).await?;
            match agents::create(&state.pool, &email, name, role, &hash).await {
                Ok(id) => {
                    agents::reset_password(&state.pool, id, &hash).await?;
                    account_changed(&state, &agent, id.0, "created").await?;
                    let page = agents_page(
                        &state,
                        &agent,
                        &session,
                        Some((name.to_owned(), password)),
                        None,
                        None,
                    )
                    .await?;
                    return render(StatusCode::OK, &page);
                }
                Err(agents::CreateAgentError::EmailTaken) => {
                    Some(crate::routes::language::tr().get("admin-email-exists"))
                }
                Err(agents::CreateAgentError::Database(e)) => return Err(e.into()),
            }
        }
    };
    let page = agents_page(&state, &agent, &session, None, problem, Some(&form)).await?;
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Deserialize)]
pub struct AccountChangeForm {
    #[serde(default)]
    change: String,
}

/// `POST /admin/agents/{id}`: change role, deactivate, reactivate, reset the password, or end
/// the sessions of one account. Any change that affects signing in ends its sessions at once.
pub async fn agents_change(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<i64>,
    HtmlForm(form): HtmlForm<AccountChangeForm>,
) -> AppResult<HttpResponse> {
    let target = AgentId(path.into_inner());
    if target == agent.id && form.change != "end_sessions" {
        // A supervisor locking themselves out (or demoting the last supervisor) helps nobody.
        let page = agents_page(
            &state,
            &agent,
            &session,
            None,
            Some(crate::routes::language::tr().get("admin-not-yourself")),
            None,
        )
        .await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut issued = None;
    let found = match form.change.as_str() {
        "make_supervisor" => agents::set_role(&state.pool, target, Role::Supervisor).await?,
        "make_agent" => agents::set_role(&state.pool, target, Role::Agent).await?,
        "deactivate" => agents::set_active(&state.pool, target, false).await?,
        "reactivate" => agents::set_active(&state.pool, target, true).await?,
        "reset_password" => {
            let password = temporary_password();
            let hash = crate::auth::password::hash(password.clone()).await?;
            let done = agents::reset_password(&state.pool, target, &hash).await?;
            issued = Some((
                crate::routes::language::tr().get("admin-the-agent"),
                password,
            ));
            done
        }
        // Lost phone: the agent signs in with the password alone (and must enrol again at
        // once when the desk requires a second factor).
        "reset_second_factor" => {
            if second_factor::remove(&state.pool, target).await? {
                true
            } else {
                let page = agents_page(
                    &state,
                    &agent,
                    &session,
                    None,
                    Some(crate::routes::language::tr().get("admin-no-second-factor")),
                    None,
                )
                .await?;
                return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        }
        "end_sessions" => true,
        _ => {
            return Err(AppError::BadRequest(
                crate::routes::language::tr().get("refused-unknown-change"),
            ));
        }
    };
    if !found {
        return Err(AppError::NotFound);
    }
    sessions::end_all_for(&state.pool, target).await?;
    state.sessions.drop_agent(target.0);
    account_changed(&state, &agent, target.0, &form.change).await?;
    if issued.is_some() {
        let page = agents_page(&state, &agent, &session, issued, None, None).await?;
        return render(StatusCode::OK, &page);
    }
    session.flash("success", "flash-account-changed");
    Ok(super::see_other("/admin/agents"))
}

#[derive(Deserialize)]
pub struct SecurityForm {
    /// A check box: present when ticked.
    require_second_factor: Option<String>,
}

/// `POST /admin/security`: whether every agent must sign in with a second factor. Applies from
/// each agent's next sign-in; agents signed in now are not interrupted.
pub async fn security_change(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<SecurityForm>,
) -> AppResult<HttpResponse> {
    let on = form.require_second_factor.is_some();
    let before = desk_settings::require_second_factor(&state.pool).await?;
    if on != before {
        desk_settings::set_require_second_factor(&state.pool, on, agent.id).await?;
        agent
            .audit(
                &state.pool,
                AuditAction::SettingChanged,
                Some("require_second_factor"),
                serde_json::json!({ "from": before, "to": on }),
            )
            .await?;
    }
    session.flash(
        "success",
        if on {
            "flash-second-factor-required"
        } else {
            "flash-second-factor-optional"
        },
    );
    Ok(super::see_other("/admin/agents"))
}
