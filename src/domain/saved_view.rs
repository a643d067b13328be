//! A saved queue view: a name an agent gives to a queue filter.

use super::queue::QueueParams;
use super::said::{Fill, Said};

pub const NAME_MAX: usize = 60;

/// A view's name: trimmed, 1 to 60 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewName(String);

impl ViewName {
    pub fn parse(input: &str) -> Result<ViewName, Said> {
        let name = input.trim();
        if name.is_empty() {
            return Err(Said::new("view-name-missing"));
        }
        if name.chars().count() > NAME_MAX {
            return Err(Said::with(
                "view-name-too-long",
                "max",
                Fill::Number(NAME_MAX as i64),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Said::new("view-name-control"));
        }
        Ok(ViewName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The filters of a queue query string, normalised: known filters only, in a fixed order, the
/// page position dropped; the default view when none is set.
pub fn normalise_query(query: &str, encode: impl Fn(&str) -> String) -> Result<String, Said> {
    let params: QueueParams = serde_html_form::from_str(query.trim_start_matches('?'))
        .map_err(|_| Said::new("view-filters-unreadable"))?;
    let filters = params.filters();
    if filters.is_empty() {
        return Ok("state=needs_action".into());
    }
    let normalised = filters
        .into_iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    if normalised.len() > 2000 {
        return Err(Said::new("view-filters-too-long"));
    }
    Ok(normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(v: &str) -> String {
        v.replace(' ', "+")
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            ViewName::parse("  Hotline, mine ").unwrap().as_str(),
            "Hotline, mine"
        );
        assert!(ViewName::parse("   ").is_err());
        assert!(ViewName::parse(&"x".repeat(61)).is_err());
        assert!(
            ViewName::parse(&"é".repeat(60)).is_ok(),
            "characters, not bytes"
        );
        assert!(ViewName::parse("two\nlines").is_err());
    }

    #[test]
    fn queries_keep_known_filters_in_order_without_the_page() {
        assert_eq!(
            normalise_query("?q=Siti Rahayu&after=1_2&state=all&colour=red", plain).unwrap(),
            "state=all&q=Siti+Rahayu"
        );
        assert_eq!(normalise_query("", plain).unwrap(), "state=needs_action");
        assert_eq!(
            normalise_query("after=1_2", plain).unwrap(),
            "state=needs_action"
        );
    }
}
