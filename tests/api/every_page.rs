//! Every page, in every language: no message id shows instead of its text, and (rendered in the
//! pseudo-language, where every message and formatted value is bracketed `⟦…⟧`) no English is
//! left written into a template or a handler.

use std::collections::BTreeSet;

use scraper::{ElementRef, Html, Node};

use crate::helpers::{Browser, NewCase, Response, TestApp, insert_case, spawn_app};
use canceldesk::domain::agent::Role;

/// Every message id of the English files (the other languages have the same ones: a unit test
/// says so).
fn message_ids() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en");
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            if let Some((id, _)) = line.split_once(" =")
                && !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                ids.insert(id.to_owned());
            }
        }
    }
    assert!(ids.len() > 500, "{} ids", ids.len());
    ids
}

/// Where a page shows what people typed or what the data holds, not the desk's words.
const DATA_CLASSES: &[&str] = &[
    "customer",
    "customer-name",
    "customer-text",
    "ref",
    "phone",
    "assignee",
    "current-email",
    "one-time",
    "totp-secret",
    "reference-big",
    "language",
    "notice-text",
];

/// The visible text of a page, data left out: text nodes outside `script`, `style`, `code`,
/// `pre`, `kbd`, `textarea` and the elements holding data.
fn visible_words(body: &str) -> Vec<String> {
    let html = Html::parse_document(body);
    let mut texts = Vec::new();
    for node in html.tree.nodes() {
        let Node::Text(text) = node.value() else {
            continue;
        };
        let hidden = node.ancestors().any(|a| {
            ElementRef::wrap(a).is_some_and(|e| {
                let el = e.value();
                matches!(
                    el.name(),
                    "script" | "style" | "code" | "pre" | "kbd" | "textarea" | "title"
                ) || el.classes().any(|c| DATA_CLASSES.contains(&c))
            })
        });
        if !hidden {
            texts.push(text.to_string());
        }
    }
    // Attributes people read: placeholders, labels for screen readers, tooltips, alt texts.
    for element in html
        .select(&scraper::Selector::parse("[placeholder], [aria-label], [title], [alt]").unwrap())
    {
        let in_data = element.ancestors().any(|a| {
            ElementRef::wrap(a)
                .is_some_and(|e| e.value().classes().any(|c| DATA_CLASSES.contains(&c)))
        });
        if in_data {
            continue;
        }
        for name in ["placeholder", "aria-label", "title", "alt"] {
            if let Some(value) = element.value().attr(name) {
                texts.push(value.to_owned());
            }
        }
    }
    texts
}

/// The page's text with every bracketed (worded) part taken out, nested brackets included.
fn outside_brackets(text: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '⟦' => depth += 1,
            '⟧' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Latin words that are data or names, not the desk's words: the fixture's names, brands and
/// technical terms every language keeps.
const KEPT: &[&str] = &[
    "Canceldesk",
    "CX",
    "CSV",
    "API",
    "PDF",
    "JPEG",
    "PNG",
    "SMS",
    "SHA",
    "QR",
    "NIK",
    "KTP",
    "Siti",
    "Rahayu",
    "Sari",
    "Supervisor",
    "Ana",
    "Agent",
    "Budi",
    "Other",
    "BCA",
    "Google",
    "Authenticator",
    "Microsoft",
    "FreeOTP",
    "Password",
    "Rp",
    "ktp",
    "png",
    "TEST",
    "CASE",
    "DENY",
    "NEED",
    "DATA",
    "YYYY",
    "MM",
    "DD",
];

fn untranslated(body: &str) -> Vec<String> {
    let mut found = Vec::new();
    for text in visible_words(body) {
        let rest = outside_brackets(&text);
        // Addresses and media types are data.
        let rest: Vec<&str> = rest
            .split_whitespace()
            .filter(|token| !token.contains('@') && !token.contains('/'))
            .collect();
        for word in rest
            .iter()
            .flat_map(|token| token.split(|c: char| !c.is_ascii_alphabetic()))
        {
            if word.len() >= 2
                && !KEPT.contains(&word)
                && !word.chars().all(|c| c.is_ascii_hexdigit())
            {
                found.push(format!("{word:?} in {:?}", text.trim()));
            }
        }
    }
    found
}

fn leaked_ids(body: &str, ids: &BTreeSet<String>) -> Vec<String> {
    visible_words(body)
        .iter()
        .flat_map(|t| {
            t.split(|c: char| c.is_whitespace() || ",.:;()“”\"".contains(c))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|w| ids.contains(w))
        .collect()
}

struct Visit {
    what: String,
    response: Response,
}

/// The pages an agent and a supervisor see, with the cases they need.
async fn visit_everything(app: &TestApp, supervisor: &Browser) -> Vec<Visit> {
    let mut visits = Vec::new();
    let get = async |what: &str, path: &str| {
        let response = supervisor.get(path).await;
        assert!(
            [200, 404, 410].contains(&response.status),
            "{what} {path}: {}",
            response.status
        );
        Visit {
            what: what.to_owned(),
            response,
        }
    };
    for (what, path) in [
        ("queue", "/queue?state=all"),
        ("queue with a bad filter", "/queue?state=bogus&age=forever"),
        ("case", "/cases/CX-TEST-CASE"),
        ("decided case", "/cases/CX-DENY-CASE"),
        ("waiting case", "/cases/CX-NEED-DATA"),
        ("bulk choice", "/bulk?scope=filter&state=all"),
        ("account", "/account"),
        ("two-factor", "/account/two-factor"),
        ("views", "/views"),
        ("reports", "/reports"),
        ("reports with a bad period", "/reports?period=forever"),
        ("agents", "/admin/agents"),
        ("audit", "/admin/audit"),
        ("tokens", "/admin/tokens"),
        ("refunds", "/admin/settlements"),
        ("billing", "/admin/billing"),
        ("not found", "/no-such-page"),
        ("customer form", "/apply"),
        ("customer status", "/status"),
    ] {
        visits.push(get(what, path).await);
    }
    // A refused decision: the case page with its field errors.
    let refused = supervisor
        .act("CX-TEST-CASE", "reject", &[("reason", ""), ("message", "")])
        .await;
    assert_eq!(refused.status, 422);
    visits.push(Visit {
        what: "refused decision".into(),
        response: refused,
    });
    // Someone acted first: the conflict page.
    let page = supervisor.get("/cases/CX-TEST-CASE").await;
    let stale = supervisor
        .post(
            "/cases/CX-TEST-CASE/notes",
            &[("csrf_token", &page.csrf()), ("note", "x")],
        )
        .await;
    assert!(stale.status < 400, "{}", stale.status);
    let conflict = supervisor
        .post(
            "/cases/CX-TEST-CASE/claim",
            &[("csrf_token", &page.csrf()), ("version", "0")],
        )
        .await;
    assert_eq!(conflict.status, 409);
    visits.push(Visit {
        what: "conflict".into(),
        response: conflict,
    });
    // A bulk preview and its page.
    let choose = supervisor.get("/bulk?scope=filter&state=all").await;
    let preview = supervisor
        .post(
            "/bulk/preview",
            &[
                ("csrf_token", &choose.csrf()),
                ("scope", "filter"),
                ("state", "all"),
                ("action", "claim"),
            ],
        )
        .await;
    let location = preview.location.clone().expect("a preview");
    let report = supervisor.get(&location).await;
    assert_eq!(report.status, 200);
    visits.push(Visit {
        what: "bulk preview".into(),
        response: report,
    });
    let _ = app;
    visits
}

async fn fixture() -> (TestApp, Browser) {
    let app = spawn_app().await;
    let (supervisor, me) = app.signed_in("Sari Supervisor", Role::Supervisor).await;
    for (reference, msisdn) in [
        ("CX-TEST-CASE", "+6283812345678"),
        ("CX-DENY-CASE", "+6283812345679"),
        ("CX-NEED-DATA", "+6283812345670"),
    ] {
        let case = NewCase {
            reference,
            msisdn,
            state: "in_review",
            assignee: Some(me.id),
            ..NewCase::default()
        };
        insert_case(&app.pool, case).await;
    }
    // One decided (its notice on the timeline), one waiting for documents.
    supervisor
        .act(
            "CX-DENY-CASE",
            "reject",
            &[("reason", "duplicate_request"), ("message", "Sent twice.")],
        )
        .await
        .assert_redirects_to("/cases/CX-DENY-CASE");
    let deadline = crate::helpers::in_days(5);
    supervisor
        .act(
            "CX-NEED-DATA",
            "request-documents",
            &[
                ("kinds", "bank_account_proof"),
                ("message", "Please send the bank book."),
                ("deadline", &deadline),
            ],
        )
        .await
        .assert_redirects_to("/cases/CX-NEED-DATA");
    // The flashes were worded in English when they were set: shown (and gone) here.
    supervisor.get("/views").await;
    (app, supervisor)
}

fn speak(browser: &Browser, tag: &str) {
    browser
        .cookies
        .borrow_mut()
        .insert("lang".into(), tag.into());
}

#[actix_web::test]
async fn every_page_in_every_language_shows_words_not_message_ids() {
    let (app, supervisor) = fixture().await;
    let ids = message_ids();
    for tag in ["id", "zh-CN", "en"] {
        speak(&supervisor, tag);
        for visit in visit_everything(&app, &supervisor).await {
            let html = visit.response.html();
            let lang = html
                .select(&scraper::Selector::parse("html").unwrap())
                .next()
                .and_then(|h| h.value().attr("lang").map(str::to_owned));
            assert_eq!(lang.as_deref(), Some(tag), "{tag} {}", visit.what);
            let leaked = leaked_ids(&visit.response.body, &ids);
            assert!(leaked.is_empty(), "{tag} {}: {leaked:?}", visit.what);
        }
    }
}

#[actix_web::test]
async fn in_the_pseudo_language_no_page_has_words_outside_the_messages() {
    let (app, supervisor) = fixture().await;
    speak(&supervisor, "x-pseudo");
    let mut problems = Vec::new();
    for visit in visit_everything(&app, &supervisor).await {
        assert!(
            visit.response.body.contains('⟦'),
            "{}: the pseudo-language is on",
            visit.what
        );
        for word in untranslated(&visit.response.body) {
            problems.push(format!("{}: {word}", visit.what));
        }
    }
    // The sign-in page, signed out.
    let anonymous = app.client();
    speak(&anonymous, "x-pseudo");
    let login = anonymous.get("/login").await;
    for word in untranslated(&login.body) {
        problems.push(format!("sign-in: {word}"));
    }
    assert!(
        problems.is_empty(),
        "written outside the messages:\n{}",
        problems.join("\n")
    );
}
