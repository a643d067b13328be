//! Refunds: opened with the approval, due with the line's end (the final balance), exported as
//! CSV for finance by a supervisor, marked paid from finance's CSV or over the API.

use chrono::Utc;
use serde_json::json;

use crate::helpers::{Browser, TestApp};
use crate::provisioning::{REF, api, app, approved, desk_today, token};
use canceldesk::domain::agent::Role;
use canceldesk::domain::token_grant::TokenGrant;

async fn item(app: &TestApp) -> (i64, String, i64) {
    sqlx::query_as(
        "SELECT s.id, s.status, s.amount_minor FROM settlement_items s
         JOIN cases c ON c.id = s.case_id WHERE c.reference = $1 ORDER BY s.id DESC LIMIT 1",
    )
    .bind(REF)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// Provisioning ends the approved case's line with `balance` left.
async fn line_ended(app: &TestApp, balance: i64) {
    let orders = token(app, "provisioning", TokenGrant::Orders).await;
    let id: String = sqlx::query_scalar("SELECT id::text FROM provisioning_orders")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let done = json!({ "outcome": "done", "cancelled_at": Utc::now().to_rfc3339(), "final_balance_minor": balance });
    let (code, body) = api(
        app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &orders,
        Some(done),
    )
    .await;
    assert_eq!(code, 200, "{body}");
}

async fn export(supervisor: &Browser, again: bool) -> crate::helpers::Response {
    let page = supervisor.get("/admin/settlements").await;
    let csrf = page.csrf();
    let mut fields = vec![("csrf_token", csrf.as_str())];
    if again {
        fields.push(("again", "on"));
    }
    supervisor.post("/admin/settlements/export", &fields).await
}

async fn upload_paid(supervisor: &Browser, file: &str) -> crate::helpers::Response {
    let page = supervisor.get("/admin/settlements").await;
    let csrf = page.csrf();
    supervisor
        .post_multipart(
            &format!("/admin/settlements/paid?csrf_token={csrf}"),
            &[],
            &[("file", "paid.csv", file.as_bytes())],
        )
        .await
}

#[actix_web::test]
async fn a_refund_goes_from_approval_to_finance_and_back_paid() {
    let app = app(None).await;
    let agent = approved(&app, &desk_today(&app)).await;
    // Opened with the approval, with billing's balance, waiting for the line to end.
    let (id, status, amount) = item(&app).await;
    assert_eq!((status.as_str(), amount), ("pending", 1_500_000));
    let page = agent.get(&format!("/cases/{REF}")).await;
    assert!(
        page.texts(".refund-state")
            .join(" ")
            .contains("waiting for the line to end")
    );

    // The line ends with Rp 12,000 left: that is what is due.
    line_ended(&app, 1_200_000).await;
    assert_eq!(item(&app).await, (id, "due".into(), 1_200_000));

    // Agents do not see finance's page.
    let refused = agent.get("/admin/settlements").await;
    assert_ne!(refused.status, 200);

    let (supervisor, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let page = supervisor.get("/admin/settlements").await;
    assert!(
        page.texts("ul.refunds.due li").join(" ").contains(REF),
        "{}",
        page.body
    );
    // Without the CSRF token nothing is exported.
    let forged = supervisor.post("/admin/settlements/export", &[]).await;
    assert_ne!(forged.status, 200);
    assert_eq!(item(&app).await.1, "due");

    let file = export(&supervisor, false).await;
    assert_eq!(file.status, 200, "{}", file.body);
    assert!(
        file.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        file.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let lines: Vec<&str> = file.body.lines().collect();
    assert_eq!(
        lines[0],
        "item_id,case_reference,customer_name,msisdn,bank,account_number,amount_minor,currency,amount,line_ended_on"
    );
    assert_eq!(lines.len(), 2);
    assert!(
        lines[1].starts_with(&format!(
            "{id},{REF},Siti Rahayu,+6283812345678,BCA,0123456789,1200000,IDR,"
        )),
        "{}",
        lines[1]
    );
    assert_eq!(item(&app).await.1, "exported");
    // Exported once: a second export has nothing new, unless asked again for a lost file.
    let nothing = export(&supervisor, false).await;
    assert_eq!(nothing.status, 303);
    let again = export(&supervisor, true).await;
    assert_eq!(again.body.lines().count(), 2);

    // Finance's file: one good line, a bad date, an unknown item. Each line stands alone.
    let today = desk_today(&app);
    let paid_file = format!(
        "item_id,paid_on,payment_reference\n{id},{today},TRF-001\n{id},yesterday,TRF-002\n999999,{today},TRF-003\n"
    );
    let report = upload_paid(&supervisor, &paid_file).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let summary = report.texts(".paid-report p").join(" ");
    assert!(
        summary.contains("Read 3 payment lines: 1 marked paid, 0 already paid"),
        "{summary}"
    );
    let errors = report.texts(".row-errors li");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("Line 3: paid_on"), "{errors:?}");
    assert!(
        errors[1].starts_with("Line 4: no item 999999"),
        "{errors:?}"
    );
    assert_eq!(item(&app).await.1, "paid");
    let page = agent.get(&format!("/cases/{REF}")).await;
    assert!(
        page.texts(".refund-state").join(" ").contains("paid on"),
        "{}",
        page.body
    );
    assert!(page.texts(".refund-state").join(" ").contains("TRF-001"));

    // The same file again changes nothing; another reference for a paid item is refused.
    let report = upload_paid(
        &supervisor,
        &format!("item_id,paid_on,payment_reference\n{id},{today},TRF-001\n"),
    )
    .await;
    assert!(
        report
            .texts(".paid-report p")
            .join(" ")
            .contains("0 marked paid, 1 already paid")
    );
    let report = upload_paid(
        &supervisor,
        &format!("item_id,paid_on,payment_reference\n{id},{today},OTHER\n"),
    )
    .await;
    assert!(
        report
            .texts(".row-errors li")
            .join(" ")
            .contains("paid before under reference TRF-001")
    );
    // A file without the header changes nothing and says why.
    let report = upload_paid(&supervisor, &format!("{id},{today},X\n")).await;
    assert_eq!(report.status, 422);
    assert!(
        report
            .texts("[role=alert]")
            .join(" ")
            .contains("must name the columns")
    );
}

#[actix_web::test]
async fn finance_marks_a_refund_paid_over_the_api() {
    let app = app(None).await;
    approved(&app, &desk_today(&app)).await;
    let finance = token(&app, "finance", TokenGrant::Finance).await;
    let (id, _, _) = item(&app).await;
    let today = desk_today(&app);
    let pay = |reference: &str| json!({ "paid_on": today, "payment_reference": reference });
    // Not payable while the line has not ended.
    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/settlements/{id}/paid"),
        &finance,
        Some(pay("TRF-1")),
    )
    .await;
    assert_eq!(
        (code, body["type"].as_str()),
        (409, Some("/api/v1/problems/refund-not-payable")),
        "{body}"
    );
    line_ended(&app, 500_000).await;
    // An orders token may not pay; unknown items and bad bodies change nothing.
    let orders = token(&app, "provisioning-2", TokenGrant::Orders).await;
    let (code, _) = api(
        &app,
        "POST",
        &format!("/api/v1/settlements/{id}/paid"),
        &orders,
        Some(pay("TRF-1")),
    )
    .await;
    assert_eq!(code, 403);
    let (code, _) = api(
        &app,
        "POST",
        "/api/v1/settlements/999999/paid",
        &finance,
        Some(pay("TRF-1")),
    )
    .await;
    assert_eq!(code, 404);
    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/settlements/{id}/paid"),
        &finance,
        Some(json!({ "paid_on": "2999-01-01", "payment_reference": "T" })),
    )
    .await;
    assert_eq!(
        (code, body["errors"][0]["pointer"].as_str()),
        (422, Some("#/paid_on")),
        "{body}"
    );
    assert_eq!(item(&app).await.1, "due");

    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/settlements/{id}/paid"),
        &finance,
        Some(pay("TRF-1")),
    )
    .await;
    assert_eq!(
        (code, body["status"].as_str()),
        (200, Some("paid")),
        "{body}"
    );
    let (code, _) = api(
        &app,
        "POST",
        &format!("/api/v1/settlements/{id}/paid"),
        &finance,
        Some(pay("TRF-1")),
    )
    .await;
    assert_eq!(code, 200);
    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/settlements/{id}/paid"),
        &finance,
        Some(pay("TRF-2")),
    )
    .await;
    assert_eq!(
        (code, body["type"].as_str()),
        (409, Some("/api/v1/problems/refund-paid"))
    );
}

#[actix_web::test]
async fn nothing_is_owed_when_the_line_ends_without_a_balance() {
    let app = app(None).await;
    approved(&app, &desk_today(&app)).await;
    line_ended(&app, 0).await;
    assert_eq!(item(&app).await.1, "not_owed");
}

#[actix_web::test]
async fn reopening_before_the_line_ends_withdraws_the_pending_refund() {
    let app = app(None).await;
    approved(&app, &crate::helpers::in_days(5)).await;
    assert_eq!(item(&app).await.1, "pending");
    let (supervisor, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    supervisor
        .act(REF, "reopen", &[("reason", "wrong account")])
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    assert_eq!(item(&app).await.1, "withdrawn");
}
