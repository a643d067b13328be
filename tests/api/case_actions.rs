//! The case page and its actions: happy paths, bad input, refusals and conflicts.

use canceldesk::domain::agent::Role;

use crate::helpers::{NewCase, document_id, in_days, insert_case, snapshot, spawn_app};

const REF: &str = "CX-TEST-CASE";

async fn history(
    pool: &sqlx::PgPool,
) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT e.kind, e.from_state, e.to_state, a.name FROM case_events e
         LEFT JOIN agents a ON a.id = e.actor_id ORDER BY e.id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[actix_web::test]
async fn the_case_page_shows_the_case() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts(".customer-name"), vec!["Siti Rahayu"]);
    let facts = page.texts(".facts dd").join(" | ");
    assert!(facts.contains("+62 838-1234-5678"), "{facts}");
    assert!(
        facts.contains("••••••••••••0001"),
        "the identity number is masked: {facts}"
    );
    assert!(!page.body.contains("3174011203850001"));
    assert!(facts.contains("Rp 250,000"), "fee: {facts}");
    assert!(
        page.texts(".signals .flag")
            .join(" ")
            .contains("early-termination fee")
    );
    assert_eq!(page.attr(".document img", "src").len(), 1);
    // A guessed reference reveals nothing.
    assert_eq!(browser.get("/cases/CX-AAAA-AAAA").await.status, 404);
    assert_eq!(browser.get("/cases/not-a-reference").await.status, 404);
}

#[actix_web::test]
async fn a_case_goes_from_claim_through_document_check_to_approval() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;

    browser
        .act(REF, "claim", &[])
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert_eq!(page.texts(".flash.success"), vec!["You claimed the case."]);
    assert_eq!(snapshot(&app.pool, REF).await.state, "in_review");

    // Approval before the identity document is accepted is refused, and changes nothing.
    let before = snapshot(&app.pool, REF).await;
    let refused = browser
        .act(
            REF,
            "approve",
            &[
                ("effective_date", &in_days(7)),
                ("confirm_fee", "on"),
                ("confirm_settlement", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .texts("[role=alert]")
            .join(" ")
            .contains("identity document has not been accepted")
    );
    assert_eq!(snapshot(&app.pool, REF).await, before);

    let doc = document_id(&app.pool, REF).await;
    browser
        .act(
            REF,
            &format!("documents/{doc}/verdict"),
            &[("verdict", "accepted"), ("reason", "")],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    assert_eq!(snapshot(&app.pool, REF).await.verdicts, vec!["accepted"]);

    browser
        .act(
            REF,
            "approve",
            &[
                ("effective_date", &in_days(7)),
                ("confirm_fee", "on"),
                ("confirm_settlement", "on"),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    let after = snapshot(&app.pool, REF).await;
    assert_eq!(after.state, "approved");
    assert_eq!(after.version, 4);
    let effective: Option<chrono::NaiveDate> =
        sqlx::query_scalar("SELECT effective_date FROM cases")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(effective.unwrap().to_string(), in_days(7));

    let events = history(&app.pool).await;
    let kinds: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(kinds, vec!["claimed", "document_accepted", "approved"]);
    assert_eq!(events[2].1.as_deref(), Some("in_review"));
    assert_eq!(events[2].2.as_deref(), Some("approved"));
    assert!(events.iter().all(|e| e.3.as_deref() == Some("Ana Agent")));
    // The timeline shows it.
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.texts(".timeline .event")
            .join(" ")
            .contains("Approved")
    );
}

#[actix_web::test]
async fn approval_input_is_checked_and_kept() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    browser.act(REF, "claim", &[]).await;
    let doc = document_id(&app.pool, REF).await;
    browser
        .act(
            REF,
            &format!("documents/{doc}/verdict"),
            &[("verdict", "accepted")],
        )
        .await;
    let before = snapshot(&app.pool, REF).await;

    // In the past, fee not confirmed (the minimum term runs 90 more days), settlement not confirmed.
    let response = browser
        .act(REF, "approve", &[("effective_date", &in_days(-3))])
        .await;
    assert_eq!(response.status, 422);
    let errors = response.texts(".field-error").join(" | ");
    assert!(errors.contains("cannot be in the past"), "{errors}");
    assert!(errors.contains("early-termination fee"), "{errors}");
    assert!(errors.contains("remaining balance"), "{errors}");
    assert_eq!(response.attr("#effective-date", "value"), vec![in_days(-3)]);
    assert_eq!(snapshot(&app.pool, REF).await, before);
}

#[actix_web::test]
async fn rejection_needs_a_reason_and_a_message_and_is_recorded() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    browser.act(REF, "claim", &[]).await;
    let before = snapshot(&app.pool, REF).await;

    let response = browser
        .act(
            REF,
            "reject",
            &[("reason", ""), ("message", "Typed but no reason")],
        )
        .await;
    assert_eq!(response.status, 422);
    assert!(
        response
            .texts(".field-error")
            .join(" ")
            .contains("Choose a reason")
    );
    assert_eq!(
        response.texts("#reject-message"),
        vec!["Typed but no reason"]
    );
    let response = browser
        .act(
            REF,
            "reject",
            &[("reason", "duplicate_request"), ("message", "   ")],
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(snapshot(&app.pool, REF).await, before);

    browser
        .act(
            REF,
            "reject",
            &[
                ("reason", "duplicate_request"),
                ("message", "You already applied for this line."),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    assert_eq!(snapshot(&app.pool, REF).await.state, "rejected");
    let (code, message): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT reason_code, message FROM case_events WHERE kind = 'rejected'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(code.as_deref(), Some("duplicate_request"));
    assert_eq!(
        message.as_deref(),
        Some("You already applied for this line.")
    );

    // A final decision cannot be taken again.
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.attr("form", "action")
            .iter()
            .all(|a| !a.ends_with("/reject"))
    );
    // A crafted post at the current version is refused by the state machine.
    let version = snapshot(&app.pool, REF).await.version.to_string();
    let again = browser
        .post(
            &format!("/cases/{REF}/reject"),
            &[
                ("csrf_token", &page.csrf()),
                ("version", &version),
                ("reason", "other"),
                ("message", "again"),
            ],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(
        again
            .body
            .contains("A case that is rejected cannot be rejected")
    );
    assert_eq!(
        again.texts("#reject-message"),
        Vec::<String>::new(),
        "no reject form on a rejected case"
    );
}

#[actix_web::test]
async fn requesting_documents_pauses_the_clock_and_is_recorded() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    browser.act(REF, "claim", &[]).await;
    let before = snapshot(&app.pool, REF).await;

    let response = browser
        .act(
            REF,
            "request-documents",
            &[
                ("message", "Need a sharper photo"),
                ("deadline", &in_days(5)),
            ],
        )
        .await;
    assert_eq!(response.status, 422);
    assert!(
        response
            .texts(".field-error")
            .join(" ")
            .contains("at least one document")
    );
    assert_eq!(
        response.texts("#request-message"),
        vec!["Need a sharper photo"]
    );
    let response = browser
        .act(
            REF,
            "request-documents",
            &[
                ("kinds", "identity_card"),
                ("message", "x"),
                ("deadline", &in_days(365)),
            ],
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(snapshot(&app.pool, REF).await, before);

    browser
        .act(
            REF,
            "request-documents",
            &[
                ("kinds", "identity_card"),
                ("kinds", "bank_account_proof"),
                ("message", "Need a sharper photo"),
                ("deadline", &in_days(5)),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    let (state, kinds, paused): (String, Vec<String>, bool) =
        sqlx::query_as("SELECT state, requested_kinds, sla_paused_at IS NOT NULL FROM cases")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(state, "awaiting_documents");
    assert_eq!(kinds, vec!["identity_card", "bank_account_proof"]);
    assert!(paused);
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.texts(".decision")
            .join(" ")
            .contains("Waiting for: Identity card, Bank account proof")
    );
}

#[actix_web::test]
async fn notes_verdicts_and_assignment_are_recorded() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (supervisor, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let (agent_browser, agent) = app.signed_in("Ana Agent", Role::Agent).await;

    // Agents may not assign.
    let denied = agent_browser
        .act(REF, "assign", &[("agent_id", &agent.id.to_string())])
        .await;
    assert_eq!(denied.status, 403);

    supervisor
        .act(REF, "assign", &[("agent_id", &agent.id.to_string())])
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    let snap = snapshot(&app.pool, REF).await;
    assert_eq!(
        (snap.state.as_str(), snap.assignee),
        ("in_review", Some(agent.id))
    );

    let empty_note = agent_browser.act(REF, "notes", &[("note", "  ")]).await;
    assert_eq!(empty_note.status, 422);
    agent_browser
        .act(REF, "notes", &[("note", "Customer called back")])
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));

    let doc = document_id(&app.pool, REF).await;
    let no_reason = agent_browser
        .act(
            REF,
            &format!("documents/{doc}/verdict"),
            &[("verdict", "rejected")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(snapshot(&app.pool, REF).await.verdicts, vec!["pending"]);
    agent_browser
        .act(
            REF,
            &format!("documents/{doc}/verdict"),
            &[("verdict", "rejected"), ("reason", "Blurred")],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    assert_eq!(snapshot(&app.pool, REF).await.verdicts, vec!["rejected"]);

    let kinds: Vec<String> = history(&app.pool).await.into_iter().map(|e| e.0).collect();
    assert_eq!(kinds, vec!["assigned", "note", "document_rejected"]);
    let page = agent_browser.get(&format!("/cases/{REF}")).await;
    assert_eq!(
        page.texts(".note .customer-text"),
        vec!["Customer called back"]
    );
    assert!(
        page.texts(".timeline")
            .join(" ")
            .contains("Assigned to Ana Agent")
    );
}

#[actix_web::test]
async fn an_agent_cannot_decide_a_case_assigned_to_someone_else() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let bob = app.agent("Bob Agent", Role::Agent).await;
    insert_case(
        &app.pool,
        NewCase {
            state: "in_review",
            assignee: Some(bob.id),
            ..NewCase::default()
        },
    )
    .await;
    let before = snapshot(&app.pool, REF).await;
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.attr("form", "action")
            .iter()
            .all(|a| !a.ends_with("/claim") && !a.ends_with("/reject"))
    );
    // Posted anyway (an old tab, a crafted request) at the current version.
    let version = before.version.to_string();
    let token = page.csrf();
    let claim = browser
        .post(
            &format!("/cases/{REF}/claim"),
            &[("csrf_token", &token), ("version", &version)],
        )
        .await;
    assert_eq!(claim.status, 422);
    assert!(claim.body.contains("assigned to another agent"));
    let reject = browser
        .post(
            &format!("/cases/{REF}/reject"),
            &[
                ("csrf_token", &token),
                ("version", &version),
                ("reason", "other"),
                ("message", "no"),
            ],
        )
        .await;
    assert_eq!(reject.status, 422);
    assert_eq!(snapshot(&app.pool, REF).await, before);
}

#[actix_web::test]
async fn the_second_of_two_agents_deciding_at_once_gets_a_conflict_and_keeps_the_text() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (supervisor, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let (ana, _) = app.signed_in("Ana Agent", Role::Agent).await;
    ana.act(REF, "claim", &[]).await;

    // Both open the page at the same version.
    let sue_page = supervisor.get(&format!("/cases/{REF}")).await;
    let ana_page = ana.get(&format!("/cases/{REF}")).await;
    assert_eq!(sue_page.field("version"), ana_page.field("version"));

    let first = ana
        .post(
            &format!("/cases/{REF}/reject"),
            &[
                ("csrf_token", &ana_page.csrf()),
                ("version", &ana_page.field("version")),
                ("reason", "outstanding_debt"),
                ("message", "Please settle the debt first."),
            ],
        )
        .await;
    first.assert_redirects_to(&format!("/cases/{REF}"));
    let after_first = snapshot(&app.pool, REF).await;

    let second = supervisor
        .post(
            &format!("/cases/{REF}/request-documents"),
            &[
                ("csrf_token", &sue_page.csrf()),
                ("version", &sue_page.field("version")),
                ("kinds", "identity_card"),
                ("message", "My carefully typed request"),
                ("deadline", &in_days(5)),
            ],
        )
        .await;
    assert_eq!(second.status, 409);
    let said = second.texts(".timeline").join(" ");
    assert!(
        said.contains("Ana Agent") && said.contains("Rejected"),
        "{said}"
    );
    assert_eq!(second.texts("textarea"), vec!["My carefully typed request"]);
    assert_eq!(snapshot(&app.pool, REF).await, after_first);
}

#[actix_web::test]
async fn customer_text_is_escaped() {
    let app = spawn_app().await;
    insert_case(
        &app.pool,
        NewCase {
            name: "<script>alert(1)</script>",
            ..NewCase::default()
        },
    )
    .await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    for path in [format!("/cases/{REF}"), "/queue".to_string()] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(!page.body.contains("<script>alert(1)</script>"), "{path}");
        assert!(
            page.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || page.body.contains("&lt;script&gt;"),
            "{path}"
        );
    }
    browser
        .act(REF, "notes", &[("note", "<img src=x onerror=alert(2)>")])
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(!page.body.contains("<img src=x"));
    assert_eq!(
        page.texts(".note .customer-text"),
        vec!["<img src=x onerror=alert(2)>"]
    );
}

#[actix_web::test]
async fn documents_are_served_only_within_their_case_and_never_as_pages() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-OTHR-CASE",
            msisdn: "+6283899999999",
            ..NewCase::default()
        },
    )
    .await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let doc = document_id(&app.pool, REF).await;
    let response = browser.get(&format!("/cases/{REF}/documents/{doc}")).await;
    assert_eq!(response.status, 200);
    let header = |name: &str| {
        response
            .headers
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-security-policy").starts_with("sandbox"));
    assert_eq!(
        header("content-disposition"),
        format!("inline; filename=\"{REF}-document-{doc}.png\"")
    );
    let download = browser
        .get(&format!("/cases/{REF}/documents/{doc}?download=1"))
        .await;
    assert!(
        download
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    // The same document through another case's URL does not exist.
    assert_eq!(
        browser
            .get(&format!("/cases/CX-OTHR-CASE/documents/{doc}"))
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn history_is_append_only() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    browser
        .act(REF, "claim", &[])
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    for sql in [
        "UPDATE case_events SET message = 'rewritten'",
        "DELETE FROM case_events",
        "TRUNCATE case_events",
    ] {
        let refused = sqlx::raw_sql(sql).execute(&app.pool).await.unwrap_err();
        assert!(
            refused.to_string().contains("append-only"),
            "{sql}: {refused}"
        );
    }
    assert_eq!(history(&app.pool).await.len(), 1);
}

#[actix_web::test]
async fn a_supervisor_reopens_a_final_decision_with_a_recorded_reason() {
    let app = spawn_app().await;
    let (ana, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let (sue, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    insert_case(&app.pool, NewCase::default()).await;
    ana.act(REF, "claim", &[]).await;
    ana.act(
        REF,
        "reject",
        &[
            ("reason", "outstanding_debt"),
            ("message", "Settle the debt first."),
        ],
    )
    .await;
    assert_eq!(snapshot(&app.pool, REF).await.state, "rejected");

    // Agents may not; a reason is required; then it goes back to review.
    let page = ana.get(&format!("/cases/{REF}")).await;
    assert!(
        page.attr("form", "action")
            .iter()
            .all(|a| !a.ends_with("/reopen"))
    );
    let refused = ana
        .post(
            &format!("/cases/{REF}/reopen"),
            &[
                ("csrf_token", &page.csrf()),
                ("version", "3"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    let before = snapshot(&app.pool, REF).await;
    let no_reason = sue.act(REF, "reopen", &[("reason", " ")]).await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(snapshot(&app.pool, REF).await, before);
    sue.act(REF, "reopen", &[("reason", "The debt was paid yesterday.")])
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    assert_eq!(snapshot(&app.pool, REF).await.state, "in_review");
    let message: Option<String> =
        sqlx::query_scalar("SELECT message FROM case_events WHERE kind = 'reopened'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(message.as_deref(), Some("The debt was paid yesterday."));
}

#[actix_web::test]
async fn the_timeline_tells_the_recorded_details_and_a_corrupt_event_fails_loudly() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    browser.act(REF, "claim", &[]).await;
    let doc = document_id(&app.pool, REF).await;
    browser
        .act(
            REF,
            &format!("documents/{doc}/verdict"),
            &[("verdict", "accepted"), ("reason", "")],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    browser
        .act(
            REF,
            "approve",
            &[
                ("effective_date", &in_days(7)),
                ("confirm_fee", "on"),
                ("confirm_settlement", "on"),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    let page = browser.get(&format!("/cases/{REF}")).await;
    let timeline = page.texts(".timeline").join(" ");
    assert!(timeline.contains("Identity card accepted"), "{timeline}");
    assert!(
        timeline.contains(&format!(
            "Effective {}; early-termination fee confirmed",
            canceldesk::i18n::format::short_date(
                canceldesk::i18n::Locale::En,
                chrono::NaiveDate::parse_from_str(&in_days(7), "%Y-%m-%d").unwrap()
            )
        )),
        "{timeline}"
    );

    // A value the domain does not know is an error, not a guess shown to the agent.
    sqlx::query(
        "INSERT INTO case_events (case_id, actor_kind, kind, case_version, details)
         SELECT id, 'system', 'note', version, '{\"document_kind\": \"passport\"}' FROM cases",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(browser.get(&format!("/cases/{REF}")).await.status, 500);
}
