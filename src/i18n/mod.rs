//! Languages (issue 14): messages in Project Fluent files under `locales/<tag>/*.ftl`, compiled
//! into the binary like the static assets, and the choice of language for a request.
//!
//! Adding a language is adding its folder and a [`Locale`] variant; the test
//! `every_language_has_every_message_with_the_same_placeholders` names whatever is missing.

pub mod format;

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
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Id, Locale::En, Locale::ZhCn];

    /// The BCP 47 tag: `lang` attributes, cookies, settings.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Id => "id",
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// As stored in the database (the tag).
    pub fn as_str(self) -> &'static str {
        self.tag()
    }

    /// Its own name, as a language switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Id => "Bahasa Indonesia",
            Locale::En => "English",
            Locale::ZhCn => "简体中文",
        }
    }

    /// A tag as typed in a setting or a cookie (`id`, `en`, `zh-CN`; case does not matter).
    pub fn parse(tag: &str) -> Option<Locale> {
        Locale::ALL
            .into_iter()
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
            Locale::En => message_files!("en"),
            Locale::ZhCn => message_files!("zh-CN"),
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundle(locale: Locale) -> &'static Bundle {
    static BUNDLES: OnceLock<Vec<Bundle>> = OnceLock::new();
    let bundles = BUNDLES.get_or_init(|| {
        Locale::ALL
            .iter()
            .map(|locale| {
                let mut bundle = Bundle::new_concurrent(vec![locale.langid()]);
                // Pages are HTML, escaped by the templates: no bidi isolation marks.
                bundle.set_use_isolating(false);
                for source in locale.sources() {
                    let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(
                        |(_, errors)| panic!("{}: broken message file: {errors:?}", locale.tag()),
                    );
                    bundle
                        .add_resource(resource)
                        .unwrap_or_else(|errors| panic!("{}: {errors:?}", locale.tag()));
                }
                bundle
            })
            .collect()
    });
    let index = Locale::ALL
        .iter()
        .position(|l| *l == locale)
        .expect("every locale has a bundle");
    &bundles[index]
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
        self.format(id, None)
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
        for locale in [self.locale, Locale::En] {
            let bundle = bundle(locale);
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
                };
                (*name, value)
            })
            .collect();
        self.with(said.id, &args)
    }

    pub fn date(&self, day: chrono::NaiveDate) -> String {
        format::date(self.locale, day)
    }

    pub fn date_time(&self, at: chrono::NaiveDateTime) -> String {
        format::date_time(self.locale, at)
    }

    pub fn money(&self, money: crate::domain::money::Money) -> String {
        format::money(self.locale, money)
    }

    pub fn number(&self, n: i64) -> String {
        format::number(self.locale, n)
    }

    /// The `lang` attribute of the page.
    pub fn lang(&self) -> &'static str {
        self.locale.tag()
    }
}

#[cfg(test)]
mod tests;
