use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

use super::*;

/// Variables a pattern uses, selectors and every variant included.
fn variables(pattern: &ast::Pattern<&str>, found: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, found);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, found: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Inline(inline) => inline_variables(inline, found),
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, found);
            for variant in variants {
                variables(&variant.value, found);
            }
        }
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, found: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            found.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, found);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, found),
        _ => {}
    }
}

/// Each message id of a language with the variables it uses.
fn catalogue(locale: Locale) -> BTreeMap<String, BTreeSet<String>> {
    let mut messages = BTreeMap::new();
    for source in locale.sources() {
        let resource = fluent_syntax::parser::parse(*source)
            .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", locale.tag()));
        for entry in resource.body {
            if let ast::Entry::Message(message) = entry {
                let mut found = BTreeSet::new();
                if let Some(value) = &message.value {
                    variables(value, &mut found);
                }
                let id = message.id.name.to_owned();
                assert!(
                    messages.insert(id.clone(), found).is_none(),
                    "{}: {id} twice",
                    locale.tag()
                );
            }
        }
    }
    messages
}

#[test]
fn every_language_has_every_message_with_the_same_placeholders() {
    let english = catalogue(Locale::En);
    assert!(english.len() > 10);
    for locale in Locale::ALL {
        let other = catalogue(locale);
        let missing: Vec<&String> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<&String> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", locale.tag());
        assert!(extra.is_empty(), "{} has unknown {extra:?}", locale.tag());
        for (id, wanted) in &english {
            assert_eq!(&other[id], wanted, "{}: placeholders of {id}", locale.tag());
        }
    }
}

#[test]
fn messages_are_formatted_with_their_arguments_and_plurals() {
    let t = Tr::new(Locale::En);
    assert_eq!(
        t.with("received-sla", &[("hours", 48.into())]),
        "An agent checks your documents and your contract, usually within 48 hours."
    );
    assert_eq!(
        t.with("received-sla", &[("hours", 1.into())]),
        "An agent checks your documents and your contract, usually within 1 hour."
    );
    let id = Tr::new(Locale::Id);
    assert!(
        id.with("received-sla", &[("hours", 48.into())])
            .contains("48 jam")
    );
    assert_eq!(id.get("no-such-message"), "no-such-message");
}

#[test]
fn the_browser_language_is_matched_to_ours() {
    assert_eq!(
        Locale::from_accept_language("id-ID,id;q=0.9,en;q=0.8"),
        Some(Locale::Id)
    );
    assert_eq!(
        Locale::from_accept_language("zh-CN,zh;q=0.9"),
        Some(Locale::ZhCn)
    );
    assert_eq!(
        Locale::from_accept_language("en-GB,en;q=0.9"),
        Some(Locale::En)
    );
    assert_eq!(Locale::from_accept_language("fr-FR,de;q=0.5"), None);
    assert_eq!(Locale::from_accept_language(""), None);
    assert_eq!(Locale::parse("ZH-cn"), Some(Locale::ZhCn));
    assert_eq!(Locale::parse("jv"), None);
}

#[test]
fn the_english_labels_are_the_codes_labels() {
    use crate::domain::{
        bulk, case, document, event, notice, order, precheck, request, settlement,
    };
    let t = Tr::new(Locale::En);
    macro_rules! check {
        ($($ty:ty),+) => {$(
            for value in <$ty>::ALL {
                assert_eq!(t.get(value.message_id()), value.label(), "{}", value.message_id());
            }
        )+};
    }
    check!(
        bulk::BulkKind,
        bulk::ItemOutcome,
        document::DocumentKind,
        document::Verdict,
        event::EventKind,
        event::ActorKind,
        notice::NoticeKind,
        notice::NoticeChannel,
        notice::NoticeStatus,
        order::OrderStatus,
        request::CancelReason,
        request::Settlement,
        request::Channel,
        request::LineType,
        request::ContactChannel,
        request::RejectReason,
        settlement::SettlementStatus,
        precheck::CheckKind,
        precheck::Outcome,
        precheck::Suggestion,
        case::State
    );
}

#[test]
fn a_pattern_fills_its_slots_and_the_pseudo_language_brackets_everything() {
    let t = Tr::new(Locale::En);
    let due = t.pattern("due-in", &["time"]);
    assert_eq!(due.fill(&["3h 20m"]), "in 3h 20m");
    let durations = Durations::new(Tr::new(Locale::ZhCn));
    assert!(
        durations
            .say(chrono::Duration::minutes(3 * 1440 + 125))
            .starts_with('3'),
        "zh durations keep the figures"
    );
    let pseudo = Tr::new(Locale::Pseudo);
    assert_eq!(pseudo.get("queue-show"), "⟦Show⟧");
    assert_eq!(
        pseudo.short_date(chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()),
        "⟦3 Dec 2026⟧"
    );
    assert_eq!(Locale::parse("x-pseudo"), Some(Locale::Pseudo));
    assert_eq!(Locale::Pseudo.as_str(), "en", "stored as English");
    assert!(!Locale::ALL.contains(&Locale::Pseudo), "never offered");
}

#[test]
fn durations_read_at_a_glance_in_each_language() {
    use chrono::Duration;
    let en = Tr::new(Locale::En);
    assert_eq!(en.duration(Duration::minutes(7)), "7m");
    assert_eq!(en.duration(Duration::minutes(312)), "5h 12m");
    assert_eq!(en.duration(Duration::minutes(330)), "5h 30m");
    assert_eq!(en.duration(Duration::hours(76)), "3d 4h");
    assert_eq!(en.duration(Duration::hours(-3)), "0m");
    assert_eq!(Tr::new(Locale::Id).duration(Duration::hours(76)), "3h 4j");
    assert_eq!(
        Tr::new(Locale::ZhCn).duration(Duration::hours(76)),
        "3天4小时"
    );
}
