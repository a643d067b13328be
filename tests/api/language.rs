//! The customer's pages speak the visitor's language: chosen with the switch (a cookie), else
//! the browser's, else `default_locale`; `<html lang>` follows.

use crate::customer::{JPEG, application_fields, apply, upload_link};
use crate::helpers::{Browser, NewCase, insert_case, spawn_app, spawn_app_with};

async fn switch(browser: &Browser, lang: &str, back: &str) -> crate::helpers::Response {
    let page = browser.get("/status").await;
    let token = page.attr("form.language input[name=csrf_token]", "value")[0].clone();
    browser
        .post(
            "/language",
            &[("csrf_token", &token), ("lang", lang), ("back", back)],
        )
        .await
}

#[actix_web::test]
async fn the_switch_remembers_the_language_and_the_received_page_speaks_it() {
    let app = spawn_app().await;
    let browser = app.client();
    let english = browser.get("/status").await;
    assert_eq!(
        english.attr("html", "lang"),
        vec!["en"],
        "the tests' default"
    );
    assert!(
        english
            .texts("header nav a")
            .contains(&"Check your application".to_string())
    );

    switch(&browser, "id", "/apply")
        .await
        .assert_redirects_to("/apply");
    let page = browser.get("/status").await;
    assert_eq!(page.attr("html", "lang"), vec!["id"]);
    assert!(
        page.texts("header nav a")
            .contains(&"Cek pengajuan Anda".to_string())
    );
    assert_eq!(
        page.attr("select[name=lang] option[selected]", "value"),
        vec!["id"]
    );

    assert_eq!(page.texts("h1"), vec!["Cek pengajuan Anda"]);
    assert_eq!(
        page.texts("form.stack label"),
        vec!["Nomor referensi", "Nomor telepon yang diajukan"]
    );
    assert!(
        !page.body.contains("status-"),
        "no message id left untranslated"
    );
    let waiting = insert_case(
        &app.pool,
        NewCase {
            state: "awaiting_documents",
            ..NewCase::default()
        },
    )
    .await;
    sqlx::query(
        "UPDATE cases SET requested_kinds = '{bank_account_proof}',
                documents_deadline = now() + interval '3 days' WHERE id = $1",
    )
    .bind(waiting)
    .execute(&app.pool)
    .await
    .unwrap();
    let token = upload_link(&app, waiting, &["bank_account_proof"], 48).await;
    let upload = browser.get(&format!("/upload/{token}")).await;
    assert_eq!(upload.texts("h1"), vec!["Kirim dokumen yang kami minta"]);
    assert_eq!(
        upload.texts("form.stack label"),
        vec!["Bukti rekening bank"]
    );
    assert_eq!(upload.texts("button.primary"), vec!["Kirim dokumen"]);
    let status = browser.get("/status").await;
    let found = browser
        .post(
            "/status",
            &[
                ("csrf_token", &status.csrf()),
                ("reference", NewCase::default().reference),
                ("msisdn", "0838-1234-5678"),
            ],
        )
        .await;
    assert_eq!(
        found.texts("#status-headline"),
        vec!["Kami memerlukan dokumen tambahan dari Anda"]
    );
    let next = found.texts("#status-next").join(" ");
    assert!(
        next.starts_with("Unggah bukti rekening bank paling lambat"),
        "{next}"
    );
    let month = chrono::Datelike::month(&chrono::Utc::now().date_naive());
    let bulan = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ][month as usize - 1];
    let facts = found.texts("dl.facts dd").join(" ");
    assert!(facts.contains(bulan), "dates in Indonesian: {facts}");
    let unknown_link = browser.get(&format!("/upload/{}", "x".repeat(32))).await;
    assert_eq!(unknown_link.status, 404);
    assert_eq!(
        unknown_link.texts("h1"),
        vec!["Tautan ini tidak dapat digunakan"]
    );

    let form = browser.get("/apply").await;
    assert_eq!(form.attr("html", "lang"), vec!["id"]);
    assert_eq!(
        form.texts("h1"),
        vec!["Berhenti berlangganan kartu SIM atau kartu data"]
    );
    assert!(
        form.texts("select#line_type option")
            .contains(&"Pascabayar".to_string())
    );
    // A missing message shows as its id (`apply-name`): no text on the page may look like one.
    let ids: Vec<String> = form
        .texts("label, legend, option, h1, p, button")
        .into_iter()
        .filter(|t| {
            t.contains('-')
                && t.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c == '_')
        })
        .collect();
    assert!(ids.is_empty(), "untranslated: {ids:?}");
    let refused = apply(&browser, &[("customer_name", "Siti Rahayu")], &[]).await;
    assert_eq!(refused.status, 422);
    let summary = refused.texts("#problems strong").join(" ");
    assert!(summary.starts_with("Mohon perbaiki"), "{summary}");
    assert_eq!(
        refused.texts("#id_number-error"),
        vec!["NIK terdiri atas 16 digit."]
    );
    assert_eq!(
        refused.texts("#consent-error"),
        vec!["Centang persetujuan Anda atas ketentuan penghentian."]
    );
    assert_eq!(
        refused.texts("#identity_card-error"),
        vec!["Tambahkan foto atau PDF KTP Anda."]
    );

    let sent = apply(
        &browser,
        &application_fields(),
        &[("identity_card", "ktp.jpg", JPEG)],
    )
    .await;
    sent.assert_redirects_to("/apply/received");
    // The case keeps the language the customer applied in; its notices are written in it, also
    // those an agent's decision sends later.
    let (case_id, locale, subject): (i64, String, String) = sqlx::query_as(
        "SELECT c.id, c.locale, n.subject FROM cases c JOIN notices n ON n.case_id = c.id
         WHERE n.kind = 'received' ORDER BY c.id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(locale, "id");
    assert!(
        subject.starts_with("Pengajuan berhenti berlangganan CX-"),
        "{subject}"
    );
    let reference: String = sqlx::query_scalar("SELECT reference FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (agent, _) = app
        .signed_in("Ayu", canceldesk::domain::agent::Role::Agent)
        .await;
    agent.act(&reference, "claim", &[]).await;
    agent
        .act(
            &reference,
            "reject",
            &[
                ("reason", "duplicate_request"),
                ("message", "Dikirim dua kali."),
            ],
        )
        .await;
    let (subject, body): (String, String) = sqlx::query_as(
        "SELECT subject, body FROM notices WHERE case_id = $1 AND kind = 'rejected'",
    )
    .bind(case_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(subject.ends_with("tidak disetujui"), "{subject}");
    assert!(
        body.contains("Alasan: kami sudah menerima pengajuan lain"),
        "{body}"
    );
    assert!(body.contains("Dikirim dua kali."), "{body}");
    let received = browser.get("/apply/received").await;
    assert_eq!(received.attr("html", "lang"), vec!["id"]);
    assert_eq!(
        received.texts("h1"),
        vec!["Pengajuan Anda sudah kami terima"]
    );
    let steps = received.texts("ol li").join(" ");
    assert!(steps.contains("dalam 48 jam"), "{steps}");
    assert!(
        !received.body.contains("received-"),
        "no message id left untranslated"
    );

    switch(&browser, "zh-CN", "/apply/received").await;
    let received = browser.get("/apply/received").await;
    assert_eq!(received.attr("html", "lang"), vec!["zh-CN"]);
    assert_eq!(received.texts("h1"), vec!["我们已收到您的申请"]);

    // An unknown language changes nothing; the way back stays on this site.
    let unknown = switch(&browser, "tlh", "//evil.example/").await;
    unknown.assert_redirects_to("/");
    assert!(
        unknown
            .headers
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().starts_with("lang="))
    );
    assert_eq!(
        browser.get("/status").await.attr("html", "lang"),
        vec!["zh-CN"]
    );

    // No CSRF token, no change.
    let forged = browser
        .post("/language", &[("lang", "en"), ("back", "/")])
        .await;
    assert_eq!(forged.status, 403);
}

#[actix_web::test]
async fn without_a_choice_the_browser_language_then_the_default_decides() {
    let app = spawn_app_with(|s| s.default_locale = "id".into()).await;
    let browser = app.client();
    assert_eq!(
        browser.get("/status").await.attr("html", "lang"),
        vec!["id"]
    );
    let chinese = app
        .client()
        .get_with_header("/status", ("accept-language", "zh-CN,zh;q=0.9,en;q=0.5"))
        .await;
    assert_eq!(chinese.attr("html", "lang"), vec!["zh-CN"]);
    let french = app
        .client()
        .get_with_header("/status", ("accept-language", "fr-FR,fr;q=0.9"))
        .await;
    assert_eq!(
        french.attr("html", "lang"),
        vec!["id"],
        "no French: the default"
    );
}

#[actix_web::test]
async fn an_agents_language_is_kept_with_the_account_and_follows_them_to_another_browser() {
    let app = spawn_app().await;
    let (desk, agent) = app
        .signed_in("Ana Agent", canceldesk::domain::agent::Role::Agent)
        .await;
    let queue = desk.get("/queue").await;
    assert_eq!(queue.attr("html", "lang"), vec!["en"]);
    // The switch is on the desk's pages too.
    let token = queue.attr("form.language input[name=csrf_token]", "value")[0].clone();
    desk.post(
        "/language",
        &[
            ("csrf_token", &token),
            ("lang", "zh-CN"),
            ("back", "/queue"),
        ],
    )
    .await
    .assert_redirects_to("/queue");
    let queue = desk.get("/queue").await;
    assert_eq!(queue.attr("html", "lang"), vec!["zh-CN"]);
    assert_eq!(queue.texts("h1"), vec!["队列"]);
    let stored: Option<String> = sqlx::query_scalar("SELECT locale FROM agents WHERE id = $1")
        .bind(agent.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some("zh-CN"));
    let account = desk.get("/account").await;
    assert!(
        account.texts(".account-language")[0].contains("简体中文"),
        "{:?}",
        account.texts(".account-language")
    );

    // Another browser, asking for English: the account's language wins from the sign-in on.
    let other = app.client();
    let signed_in = other.login(&agent.email, crate::helpers::PASSWORD).await;
    signed_in.assert_redirects_to("/queue");
    let queue = other
        .get_with_header("/queue", ("accept-language", "en-US,en;q=0.9"))
        .await;
    assert_eq!(queue.attr("html", "lang"), vec!["zh-CN"]);
    // A flash is worded in the agent's language.
    let page = other.get("/views").await;
    other
        .post(
            "/views",
            &[
                ("csrf_token", &page.csrf()),
                ("name", ""),
                ("query", "state=all"),
            ],
        )
        .await;
    let flash = other.get("/queue?state=all").await.texts(".flash");
    assert!(
        flash
            .iter()
            .any(|f| f.contains("未保存") || f.contains("名称")),
        "{flash:?}"
    );
}
