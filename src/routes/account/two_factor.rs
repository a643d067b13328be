//! `/account/two-factor`: an agent sets up, keeps and removes their own TOTP second factor.
//!
//! Setting up: `start` makes a secret (shown as a QR code and as text), `confirm` turns it on once
//! the agent types a current code and their password, and shows ten recovery codes once. Making
//! new recovery codes or turning the second factor off needs the password too
//! (`auth::reauth::confirm_password`): a session alone changes nothing here. Turning it on or off
//! is also told to the agent by e-mail, written in the same transaction.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentAgent;
use crate::auth::reauth::confirm_password;
use crate::auth::session::TypedSession;
use crate::domain::second_factor::{RECOVERY_CODES, RecoveryCode, TotpSecret};
use crate::error::{AppError, AppResult};
use crate::notices::account::{self as account_notice, AccountChange};
use crate::routes::form::HtmlForm;
use crate::routes::{Chrome, local_time, render, see_other};
use crate::state::AppState;
use crate::store::audit::AuditAction;
use crate::store::second_factor;
use crate::store::{desk_settings, sessions};

/// An enrolment in progress: what the agent copies into the authenticator app.
pub struct Enrolment {
    pub secret: String,
    pub account: String,
    pub issuer: &'static str,
}

#[derive(Template)]
#[template(path = "account/two_factor.html")]
struct TwoFactorPage {
    chrome: Chrome,
    /// "Since …" when the second factor is on.
    enabled_since: Option<String>,
    codes_left: i64,
    enrolling: Option<Enrolment>,
    /// The desk requires a second factor of everyone.
    required: bool,
    /// A problem with what was typed: (form field, message).
    error: Option<(&'static str, String)>,
    /// Recovery codes just made: shown this once, never stored readable.
    new_codes: Vec<String>,
}

impl TwoFactorPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn page(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    error: Option<(&'static str, String)>,
    new_codes: Vec<String>,
) -> AppResult<TwoFactorPage> {
    let found = second_factor::find(&state.pool, &state.keyring, agent.id).await?;
    let codes_left = match &found {
        Some(a) if a.enabled() => second_factor::recovery_codes_left(&state.pool, agent.id).await?,
        _ => 0,
    };
    Ok(TwoFactorPage {
        chrome: Chrome::new(Some(agent), session),
        enabled_since: found.as_ref().and_then(|a| a.enabled_at).map(|at| {
            crate::routes::language::tr().with(
                "two-factor-on-since",
                &[("since", local_time(at, state.tz).into())],
            )
        }),
        codes_left,
        enrolling: found.filter(|a| !a.enabled()).map(|a| Enrolment {
            secret: a.secret.base32_grouped(),
            account: agent.email.clone(),
            issuer: crate::domain::second_factor::ISSUER,
        }),
        required: desk_settings::require_second_factor(&state.pool).await?,
        error,
        new_codes,
    })
}

/// Checks the current password typed into `field`: `Some` is the answer when it is refused (the
/// page with the reason there, 429 while the attempts are used up).
async fn password_refused(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    password: &str,
    field: &'static str,
) -> AppResult<Option<HttpResponse>> {
    let confirmation = confirm_password(state, agent, password).await?;
    let Some(refusal) = confirmation.refusal() else {
        return Ok(None);
    };
    let page = page(state, agent, session, Some((field, refusal)), Vec::new()).await?;
    super::render_refused(&confirmation, &page).map(Some)
}

/// `Some`: back to the set-up page, told why, because the second factor is not on.
async fn unless_enabled(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
) -> AppResult<Option<HttpResponse>> {
    if second_factor::is_enabled(&state.pool, agent.id).await? {
        return Ok(None);
    }
    session.flash("error", "flash-second-factor-not-on");
    Ok(Some(see_other("/account/two-factor")))
}

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    render(
        StatusCode::OK,
        &page(&state, &agent, &session, None, Vec::new()).await?,
    )
}

/// `POST /account/two-factor/start`: a new secret for the agent to scan (starting over replaces
/// an unconfirmed one; an enabled one is never replaced).
pub async fn start(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    let secret = TotpSecret::generate();
    if !second_factor::start_enrolment(&state.pool, &state.keyring, agent.id, &secret).await? {
        session.flash("error", "flash-second-factor-on-already");
    }
    Ok(see_other("/account/two-factor"))
}

/// `GET /account/two-factor/qr.svg`: the QR code of the enrolment in progress, as an image of
/// this site (the page's CSP allows no inline styles; the SVG uses attributes only).
pub async fn qr_code(state: web::Data<AppState>, agent: CurrentAgent) -> AppResult<HttpResponse> {
    let enrolling = second_factor::find(&state.pool, &state.keyring, agent.id)
        .await?
        .filter(|a| !a.enabled())
        // Once enrolled, the secret is never shown again.
        .ok_or(AppError::NotFound)?;
    let uri = enrolling.secret.otpauth_uri(&agent.email);
    let code = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("QR code: {e:?}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        // It encodes the secret: never cached anywhere.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(svg))
}

fn new_recovery_codes() -> Vec<RecoveryCode> {
    (0..RECOVERY_CODES)
        .map(|_| RecoveryCode::generate())
        .collect()
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
    /// The current password: a session alone cannot add a factor to the account.
    #[serde(default)]
    password: String,
}

/// `POST /account/two-factor/confirm`: the password proves it is the agent, a current code that
/// the app has the secret; then the second factor is on, other sessions end (the agent is told by
/// e-mail, in the same transaction), and the recovery codes are shown once.
pub async fn confirm(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<ConfirmForm>,
) -> AppResult<HttpResponse> {
    let Some(enrolling) = second_factor::find(&state.pool, &state.keyring, agent.id)
        .await?
        .filter(|a| !a.enabled())
    else {
        session.flash("error", "flash-second-factor-start-first");
        return Ok(see_other("/account/two-factor"));
    };
    if let Some(refused) =
        password_refused(&state, &agent, &session, &form.password, "confirm-password").await?
    {
        return Ok(refused);
    }
    let step = match enrolling.secret.check(&form.code, Utc::now(), None) {
        Ok(step) => step,
        Err(_) => {
            let error = (
                "code",
                crate::routes::language::tr().get("two-factor-code-wrong"),
            );
            let page = page(&state, &agent, &session, Some(error), Vec::new()).await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let codes = new_recovery_codes();
    // On, audited and told by e-mail together, or not at all.
    let mut tx = state.pool.begin().await?;
    if !second_factor::enable(&mut tx, agent.id, &enrolling, step, &codes).await? {
        // Started over in another tab meanwhile: that secret is the one to confirm.
        session.flash("error", "flash-second-factor-changed");
        return Ok(see_other("/account/two-factor"));
    }
    account_notice::enqueue(
        &mut tx,
        agent.id,
        &agent.name,
        &agent.email,
        &AccountChange::SecondFactorEnabled,
    )
    .await?;
    agent
        .audit(&mut *tx, AuditAction::SecondFactorEnabled, None, json!({}))
        .await?;
    tx.commit().await?;
    if let Some(label) = session.label() {
        sessions::end_others(&state.pool, agent.id, &json!(label).to_string()).await?;
        state.sessions.drop_agent(agent.id.0);
    }
    session.second_factor_enrolled();
    session.flash("success", "flash-second-factor-on");
    let shown = codes.iter().map(RecoveryCode::display).collect();
    render(
        StatusCode::OK,
        &page(&state, &agent, &session, None, shown).await?,
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    /// The current password.
    #[serde(default)]
    password: String,
}

/// `POST /account/two-factor/recovery-codes`: ten new codes replace all the old ones.
pub async fn regenerate_recovery_codes(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<PasswordForm>,
) -> AppResult<HttpResponse> {
    if let Some(back) = unless_enabled(&state, &agent, &session).await? {
        return Ok(back);
    }
    if let Some(refused) =
        password_refused(&state, &agent, &session, &form.password, "codes-password").await?
    {
        return Ok(refused);
    }
    let codes = new_recovery_codes();
    if !second_factor::regenerate_recovery_codes(&state.pool, agent.id, &codes).await? {
        return Err(AppError::NotFound);
    }
    agent
        .audit(
            &state.pool,
            AuditAction::RecoveryCodesRegenerated,
            None,
            json!({}),
        )
        .await?;
    session.flash("success", "flash-recovery-codes-new");
    let shown = codes.iter().map(RecoveryCode::display).collect();
    render(
        StatusCode::OK,
        &page(&state, &agent, &session, None, shown).await?,
    )
}

/// `POST /account/two-factor/disable`: back to password-only sign-in, unless the desk requires
/// a second factor.
pub async fn disable(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<PasswordForm>,
) -> AppResult<HttpResponse> {
    if let Some(back) = unless_enabled(&state, &agent, &session).await? {
        return Ok(back);
    }
    if desk_settings::require_second_factor(&state.pool).await? {
        let problem = crate::routes::language::tr().get("two-factor-required-cannot-off");
        let error = Some(("disable-password", problem));
        let page = page(&state, &agent, &session, error, Vec::new()).await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    if let Some(refused) =
        password_refused(&state, &agent, &session, &form.password, "disable-password").await?
    {
        return Ok(refused);
    }
    // Off, audited and told by e-mail together, or not at all.
    let mut tx = state.pool.begin().await?;
    if second_factor::remove_in(&mut tx, agent.id).await? {
        account_notice::enqueue(
            &mut tx,
            agent.id,
            &agent.name,
            &agent.email,
            &AccountChange::SecondFactorDisabled,
        )
        .await?;
        agent
            .audit(
                &mut *tx,
                AuditAction::SecondFactorDisabled,
                None,
                json!({ "by": "self" }),
            )
            .await?;
    }
    tx.commit().await?;
    session.flash("success", "flash-second-factor-off");
    Ok(see_other("/account/two-factor"))
}
