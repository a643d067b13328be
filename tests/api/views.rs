//! Saved queue views: saving, opening, sharing, the queue's chosen view, and who may do what.

use canceldesk::domain::agent::Role;

use crate::helpers::{Browser, spawn_app};

async fn save(browser: &Browser, name: &str, query: &str) -> crate::helpers::Response {
    let queue = browser.get(&format!("/queue?{query}")).await;
    assert_eq!(queue.status, 200);
    let token = queue.csrf();
    let saved_query = queue.attr("form.save-view input[name=query]", "value")[0].clone();
    browser
        .post(
            "/views",
            &[
                ("csrf_token", &token),
                ("name", name),
                ("query", &saved_query),
            ],
        )
        .await
}

async fn view_id(app: &crate::helpers::TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM saved_views WHERE name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn view_count(app: &crate::helpers::TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM saved_views")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[actix_web::test]
async fn an_agent_saves_a_view_finds_it_and_opens_the_queue_with_it() {
    let app = spawn_app().await;
    let (ana, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let saved = save(
        &ana,
        "Hotline, mine",
        "state=in_review&assignee=me&channel=hotline&after=1_2",
    )
    .await;
    saved.assert_redirects_to("/queue?state=in_review&assignee=me&channel=hotline");
    let queue = ana.get(saved.location.as_deref().unwrap()).await;
    assert!(queue.texts(".flash.success")[0].contains("Saved the view “Hotline, mine”"));

    let views = ana.get("/views").await;
    assert_eq!(views.status, 200);
    assert_eq!(
        views.attr("table.views tbody th a", "href"),
        vec!["/queue?state=in_review&assignee=me&channel=hotline"]
    );
    assert_eq!(views.texts("table.views tbody th"), vec!["Hotline, mine"]);

    // Bad input says why and saves nothing.
    let before = view_count(&app).await;
    for (name, says) in [
        ("   ", "Give the view a name"),
        ("Hotline, mine", "already have a view named"),
        (&"x".repeat(61), "at most 60 characters"),
    ] {
        let refused = save(&ana, name, "state=all").await;
        refused.assert_redirects_to("/queue?state=all");
        let page = ana.get("/queue?state=all").await;
        assert!(
            page.texts(".flash.error").join(" ").contains(says),
            "{name}"
        );
    }
    assert_eq!(view_count(&app).await, before);

    // The queue opens with the chosen view; an explicit filter still shows what it asks.
    let id = view_id(&app, "Hotline, mine").await.to_string();
    let views = ana.get("/views").await;
    ana.post(
        "/views/default",
        &[("csrf_token", &views.csrf()), ("view", &id)],
    )
    .await
    .assert_redirects_to("/views");
    ana.get("/queue")
        .await
        .assert_redirects_to("/queue?state=in_review&assignee=me&channel=hotline");
    assert_eq!(ana.get("/queue?state=needs_action").await.status, 200);
    // Remembered at the next sign-in too.
    let again = app.client();
    again
        .login("ana.agent@desk.test", crate::helpers::PASSWORD)
        .await;
    again
        .get("/queue")
        .await
        .assert_redirects_to("/queue?state=in_review&assignee=me&channel=hotline");

    // Deleting the view gives the usual queue back.
    let views = ana.get("/views").await;
    ana.post(
        &format!("/views/{id}/delete"),
        &[("csrf_token", &views.csrf())],
    )
    .await
    .assert_redirects_to("/views");
    assert_eq!(ana.get("/queue").await.status, 200);
    assert_eq!(view_count(&app).await, before - 1);
}

#[actix_web::test]
async fn views_are_private_until_a_supervisor_shares_one() {
    let app = spawn_app().await;
    let (ana, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let (budi, _) = app.signed_in("Budi Agent", Role::Agent).await;
    let (sari, _) = app.signed_in("Sari Supervisor", Role::Supervisor).await;
    save(&ana, "Ana's", "state=all&channel=web").await;
    save(&sari, "Past due", "state=open&overdue=1").await;
    let anas = view_id(&app, "Ana's").await;
    let sharing = view_id(&app, "Past due").await;

    // Another agent neither sees nor touches Ana's view, whatever id they guess.
    let views = budi.get("/views").await;
    assert!(views.texts("table.views tbody th").is_empty());
    let token = views.csrf();
    for path in [
        format!("/views/{anas}/delete"),
        format!("/views/{anas}/share"),
        format!("/views/{sharing}/delete"),
    ] {
        let response = budi
            .post(&path, &[("csrf_token", &token), ("shared", "true")])
            .await;
        assert_eq!(response.status, 404, "{path}");
    }
    let response = budi
        .post(
            "/views/default",
            &[("csrf_token", &token), ("view", &anas.to_string())],
        )
        .await;
    assert_eq!(response.status, 404);
    // An agent may not share, even their own view.
    let token = ana.get("/views").await.csrf();
    let refused = ana
        .post(
            &format!("/views/{anas}/share"),
            &[("csrf_token", &token), ("shared", "true")],
        )
        .await;
    assert_eq!(refused.status, 403);

    // Shared by the supervisor: everyone sees it and may open the queue with it.
    let token = sari.get("/views").await.csrf();
    sari.post(
        &format!("/views/{sharing}/share"),
        &[("csrf_token", &token), ("shared", "true")],
    )
    .await
    .assert_redirects_to("/views");
    let views = budi.get("/views").await;
    assert_eq!(views.texts("table.views tbody th"), vec!["Past due"]);
    assert!(
        views
            .texts("table.views tbody td")
            .join(" ")
            .contains("Sari Supervisor")
    );
    assert!(
        views.attr("form[action$='/delete']", "action").is_empty(),
        "no delete button on another's view"
    );
    budi.post(
        "/views/default",
        &[
            ("csrf_token", &views.csrf()),
            ("view", &sharing.to_string()),
        ],
    )
    .await
    .assert_redirects_to("/views");
    budi.get("/queue")
        .await
        .assert_redirects_to("/queue?state=open&overdue=1");
    let refused = budi
        .post(
            &format!("/views/{sharing}/delete"),
            &[("csrf_token", &views.csrf())],
        )
        .await;
    assert_eq!(
        refused.status, 403,
        "only the owner or a supervisor deletes a shared view"
    );

    // No CSRF token, no change.
    let forged = budi
        .post("/views", &[("name", "x"), ("query", "state=all")])
        .await;
    assert_eq!(forged.status, 403);
}
