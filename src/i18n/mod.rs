//! Languages (issue 14): messages in Project Fluent files under `locales/<tag>/*.ftl`, compiled
//! into the binary like the static assets, and the choice of language for a request.
//!
//! Adding a language is adding its folder and a [`Locale`] variant; the test
//! `every_language_has_every_message_with_the_same_placeholders` names whatever is missing.

pub mod format;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// Every message file of a language folder, compiled in: one list for all languages, so a file
/// cannot be forgotten in one of them.
macro_rules! message_files {
    ($tag:literal) => {
        &[
            include_str!(concat!("../../locales/", $tag, "/common.ftl")),
            include_str!(concat!("../../locales/", $tag, "/customer.ftl")),
            include_str!(concat!("../../locales/", $tag, "/apply.ftl")),
            include_str!(concat!("../../locales/", $tag, "/errors.ftl")),
            include_str!(concat!("../../locales/", $tag, "/notices.ftl")),
            include_str!(concat!("../../locales/", $tag, "/labels.ftl")),
            include_str!(concat!("../../locales/", $tag, "/desk.ftl")),
            include_str!(concat!("../../locales/", $tag, "/case.ftl")),
            include_str!(concat!("../../locales/", $tag, "/bulk.ftl")),
            include_str!(concat!("../../locales/", $tag, "/account.ftl")),
            include_str!(concat!("../../locales/", $tag, "/admin.ftl")),
            include_str!(concat!("../../locales/", $tag, "/reports.ftl")),
            include_str!(concat!("../../locales/", $tag, "/assist.ftl")),
        ]
    };
}

/// A language the desk speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Bahasa Indonesia.
    Id,
    En,
    /// Simplified Chinese.
    ZhCn,
    /// Not a language: English with every message and formatted value in `⟦…⟧`, so that any
    /// text on a page outside the brackets shows as written into a template or handler instead
    /// of a message (the tests look for it; translators may use it with the cookie
    /// `lang=x-pseudo`). Never offered by the switch, never stored.
    Pseudo,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Id, Locale::En, Locale::ZhCn];

    /// The BCP 47 tag: `lang` attributes, cookies, settings.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Id => "id",
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
            Locale::Pseudo => "x-pseudo",
        }
    }

    /// The language whose messages and formats this one uses (itself, but English for the
    /// pseudo-language).
    pub fn base(self) -> Locale {
        match self {
            Locale::Pseudo => Locale::En,
            real => real,
        }
    }

    /// As stored in the database (the tag; the pseudo-language is stored as English).
    pub fn as_str(self) -> &'static str {
        self.base().tag()
    }

    /// Its own name, as a language switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Id => "Bahasa Indonesia",
            Locale::En => "English",
            Locale::ZhCn => "简体中文",
            Locale::Pseudo => "⟦Pseudo⟧",
        }
    }

    /// A tag as typed in a setting or a cookie (`id`, `en`, `zh-CN`; case does not matter).
    pub fn parse(tag: &str) -> Option<Locale> {
        Locale::ALL
            .into_iter()
            .chain([Locale::Pseudo])
            .find(|l| l.tag().eq_ignore_ascii_case(tag.trim()))
    }

    fn langid(self) -> LanguageIdentifier {
        self.tag().parse().expect("a valid language tag")
    }

    /// The best of our languages for an `Accept-Language` header, if any fits.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let requested = fluent_langneg::accepted_languages::parse(header);
        let available: Vec<LanguageIdentifier> = Locale::ALL.iter().map(|l| l.langid()).collect();
        let chosen = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            None,
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        let best = chosen.first()?;
        Locale::ALL.into_iter().find(|l| &l.langid() == *best)
    }

    /// The message files of this language (one per area of the app).
    fn sources(self) -> &'static [&'static str] {
        match self {
            Locale::Id => message_files!("id"),
            Locale::En | Locale::Pseudo => message_files!("en"),
            Locale::ZhCn => message_files!("zh-CN"),
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

/// One language's messages: the bundle, and every message without placeholders worded once at
/// start (a page's labels are then a map lookup, not a formatting nor an allocation, on every
/// request). The texts live as long as the process, as the files compiled into it do.
struct Catalogue {
    bundle: Bundle,
    /// Looked up ~100 times a page: a fast hash for short, trusted keys (ids from our files).
    plain: FxHashMap<String, &'static str>,
}

fn catalogue(locale: Locale) -> &'static Catalogue {
    static CATALOGUES: OnceLock<Vec<Catalogue>> = OnceLock::new();
    let catalogues = CATALOGUES.get_or_init(|| {
        let mut all: Vec<Catalogue> = Locale::ALL.iter().map(|l| load(*l)).collect();
        // The pseudo-language: English, every plain message bracketed.
        let mut pseudo_catalogue = load(Locale::En);
        for text in pseudo_catalogue.plain.values_mut() {
            *text = Box::leak(pseudo((*text).to_owned()).into_boxed_str());
        }
        all.push(pseudo_catalogue);
        all
    });
    let index = Locale::ALL
        .iter()
        .chain([&Locale::Pseudo])
        .position(|l| *l == locale)
        .expect("every locale has a catalogue");
    &catalogues[index]
}

fn load(locale: Locale) -> Catalogue {
    let mut bundle = Bundle::new_concurrent(vec![locale.langid()]);
    // Pages are HTML, escaped by the templates: no bidi isolation marks.
    bundle.set_use_isolating(false);
    let mut ids = Vec::new();
    for source in locale.sources() {
        let resource =
            FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(_, errors)| {
                panic!("{}: broken message file: {errors:?}", locale.tag())
            });
        // A message starts a line with its id (continuation lines are indented).
        ids.extend(source.lines().filter_map(|line| {
            let (id, _) = line.split_once(" =")?;
            let plain_id = id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            (plain_id && !id.is_empty()).then(|| id.to_owned())
        }));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("{}: {errors:?}", locale.tag()));
    }
    let plain = ids
        .into_iter()
        .filter_map(|id| {
            let pattern = bundle.get_message(&id)?.value()?;
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, None, &mut errors);
            // A message with placeholders reports them missing: it is worded per call.
            let text: &'static str = Box::leak(text.into_owned().into_boxed_str());
            errors.is_empty().then_some((id, text))
        })
        .collect();
    Catalogue { bundle, plain }
}

/// Messages in one language, for a page: `t.get("apply-title")`,
/// `t.with("received-sla", &[("hours", 48.into())])`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn new(locale: Locale) -> Tr {
        Tr { locale }
    }

    pub fn get(&self, id: &str) -> String {
        match self.plain(id) {
            Some(text) => text.to_owned(),
            // A message with placeholders asked for without them, or a missing one: worded (and
            // logged) by the general path.
            None => self.format(id, None),
        }
    }

    /// A message without placeholders, borrowed (no allocation: the pages' labels); English
    /// when this language lacks it, else the id itself, which the tests look for.
    pub fn text<'a>(&self, id: &'a str) -> &'a str {
        self.plain(id).unwrap_or_else(|| {
            tracing::warn!(id, locale = self.locale.tag(), "missing message");
            id
        })
    }

    /// A message without placeholders in this language, else in English.
    fn plain(&self, id: &str) -> Option<&'static str> {
        [self.locale, Locale::En]
            .into_iter()
            .find_map(|locale| catalogue(locale).plain.get(id).copied())
    }

    pub fn with(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    /// The message, or (never silently) English, or its id: a missing message shows as its id,
    /// which the tests look for.
    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        if self.locale == Locale::Pseudo {
            return pseudo(Tr::new(Locale::En).format(id, args));
        }
        for locale in [self.locale, Locale::En] {
            let catalogue = catalogue(locale);
            if args.is_none()
                && let Some(text) = catalogue.plain.get(id)
            {
                return (*text).to_owned();
            }
            let bundle = &catalogue.bundle;
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, args, &mut errors);
                if !errors.is_empty() {
                    tracing::warn!(id, locale = locale.tag(), ?errors, "message formatting");
                }
                return text.into_owned();
            }
            tracing::warn!(id, locale = locale.tag(), "missing message");
        }
        id.to_owned()
    }

    /// What the domain chose to say, worded in this language.
    pub fn said(&self, said: &crate::domain::said::Said) -> String {
        use crate::domain::said::Fill;
        let args: Vec<(&str, FluentValue<'_>)> = said
            .args
            .iter()
            .map(|(name, fill)| {
                let value: FluentValue<'_> = match fill {
                    Fill::Date(day) => self.date(*day).into(),
                    Fill::Kind(kind) => {
                        self.get(&format!("document-kind-{}", kind.as_str())).into()
                    }
                    Fill::Kinds(kinds) => kinds
                        .iter()
                        .map(|k| self.get(&format!("document-in-sentence-{}", k.as_str())))
                        .collect::<Vec<_>>()
                        .join(", ")
                        .into(),
                    Fill::Reason(reason) => self
                        .get(&format!("reject-reason-{}", reason.as_str()))
                        .into(),
                    Fill::Refusal(refusal) => self.get(refusal.message_id()).into(),
                    Fill::Number(n) => (*n).into(),
                    Fill::Text(text) => text.as_str().into(),
                    // Inside a sentence: lower case where the language has cases.
                    Fill::StateName(state) => self.get(state.message_id()).to_lowercase().into(),
                    Fill::Message(id) => self.get(id).into(),
                };
                (*name, value)
            })
            .collect();
        self.with(said.id, &args)
    }

    pub fn date(&self, day: chrono::NaiveDate) -> String {
        self.value(format::date(self.locale.base(), day))
    }

    /// A formatted value, bracketed in the pseudo-language.
    fn value(&self, text: String) -> String {
        if self.locale == Locale::Pseudo {
            pseudo(text)
        } else {
            text
        }
    }

    pub fn date_time(&self, at: chrono::NaiveDateTime) -> String {
        self.value(format::date_time(self.locale.base(), at))
    }

    /// Day and month, as a chart's axis shows them (`3 Des`, `3 Dec`, `12月3日`).
    pub fn day_month(&self, day: chrono::NaiveDate) -> String {
        self.value(format::day_month(self.locale.base(), day))
    }

    pub fn short_date(&self, day: chrono::NaiveDate) -> String {
        self.value(format::short_date(self.locale.base(), day))
    }

    pub fn short_date_time(&self, at: chrono::NaiveDateTime) -> String {
        self.value(format::short_date_time(self.locale.base(), at))
    }

    /// A message worded once with its placeholders left open, to be filled many times cheaply
    /// (the queue's 50 rows). Only for messages that do not select on their arguments.
    /// Worded once per worker thread and language, then shared.
    pub fn pattern(&self, id: &str, names: &[&str]) -> Rc<Pattern> {
        thread_local! {
            static PATTERNS: RefCell<HashMap<(Locale, String), Rc<Pattern>>> =
                RefCell::new(HashMap::new());
        }
        let key = (self.locale, id.to_owned());
        if let Some(found) = PATTERNS.with(|cache| cache.borrow().get(&key).cloned()) {
            return found;
        }
        let markers: Vec<String> = (0..names.len()).map(marker).collect();
        let args: Vec<(&str, FluentValue<'_>)> = names
            .iter()
            .zip(&markers)
            .map(|(name, m)| (*name, m.as_str().into()))
            .collect();
        let pattern = Rc::new(Pattern::parse(&self.with(id, &args), names.len()));
        PATTERNS.with(|cache| cache.borrow_mut().insert(key, pattern.clone()));
        pattern
    }

    /// A span of time as the desk's tables show it: `45m`, `3h 20m`, `2d 4h` (in this language).
    pub fn duration(&self, d: chrono::Duration) -> String {
        Durations::new(*self).say(d)
    }

    pub fn money(&self, money: crate::domain::money::Money) -> String {
        self.value(format::money(self.locale.base(), money))
    }

    pub fn number(&self, n: i64) -> String {
        self.value(format::number(self.locale.base(), n))
    }

    /// The `lang` attribute of the page.
    pub fn lang(&self) -> &'static str {
        self.locale.tag()
    }
}

fn pseudo(text: String) -> String {
    format!("⟦{text}⟧")
}

/// Spans of time (`2d 4h`) worded once per page and filled per row.
#[derive(Debug, Clone)]
pub struct Durations {
    minutes: Rc<Pattern>,
    hours: Rc<Pattern>,
    days: Rc<Pattern>,
}

impl Durations {
    pub fn new(t: Tr) -> Durations {
        let names = ["days", "hours", "minutes"];
        Durations {
            minutes: t.pattern("duration-minutes", &names),
            hours: t.pattern("duration-hours", &names),
            days: t.pattern("duration-days", &names),
        }
    }

    pub fn say(&self, d: chrono::Duration) -> String {
        let (days, hours, minutes) = crate::domain::sla::duration_parts(d);
        let values = [days, hours, minutes];
        match (days, hours) {
            (0, 0) => self.minutes.fill_numbers(&values),
            (0, _) => self.hours.fill_numbers(&values),
            _ => self.days.fill_numbers(&values),
        }
    }
}

/// The stand-in for placeholder `i` while a [`Pattern`] is made (private-use characters: never
/// in a message).
fn marker(i: usize) -> String {
    char::from_u32(0xE000 + i as u32)
        .expect("a private-use character")
        .to_string()
}

/// A worded message with open slots: see [`Tr::pattern`].
#[derive(Debug, Clone)]
pub struct Pattern {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Slot(usize),
}

impl Pattern {
    fn parse(worded: &str, slots: usize) -> Pattern {
        let mut pieces = Vec::new();
        let mut text = String::new();
        for c in worded.chars() {
            let slot = (c as u32).checked_sub(0xE000).map(|i| i as usize);
            match slot {
                Some(i) if i < slots => {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                    pieces.push(Piece::Slot(i));
                }
                _ => text.push(c),
            }
        }
        pieces.push(Piece::Text(text));
        Pattern { pieces }
    }

    /// The message with slot `i` filled by `values[i]`.
    /// [`Self::fill`] with whole numbers, written straight into the text.
    pub fn fill_numbers(&self, values: &[i64]) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(16);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Slot(i) => {
                    if let Some(n) = values.get(*i) {
                        let _ = write!(out, "{n}");
                    }
                }
            }
        }
        out
    }

    pub fn fill(&self, values: &[&str]) -> String {
        let mut out = String::with_capacity(32);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Slot(i) => out.push_str(values.get(*i).copied().unwrap_or_default()),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
