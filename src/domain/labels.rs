//! A small macro for the closed sets of the domain (reasons, channels, kinds...): each variant has
//! a stable database/form value, an English label, and the id of its label's message in every
//! language, kept together so they cannot drift apart.

macro_rules! labelled_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident => ($value:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value stored in the database and sent by forms.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }

            pub fn parse(value: &str) -> Option<$name> {
                match value { $($value => Some($name::$variant),)+ _ => None }
            }

            /// Its English name (the API, logs). Pages word it in the reader's language from
            /// [`Self::message_id`]; a test keeps the English message equal to this.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Its message in `locales/<tag>/labels.ftl`, e.g. `RejectReason-duplicate_request`.
            pub fn message_id(self) -> &'static str {
                match self { $($name::$variant => concat!(stringify!($name), "-", $value)),+ }
            }
        }

        // Stored inside event details (JSON) as the same text; an unknown value is an error.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        $crate::domain::labels::deserialize_by_parse!($name);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

pub(crate) use labelled_enum;

/// Reads a closed set from JSON by its stored text (`$name::parse`); an unknown value is an
/// error, as it is in a column.
macro_rules! deserialize_by_parse {
    ($name:ident) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {}: {text:?}", stringify!($name)))
                })
            }
        }
    };
}

pub(crate) use deserialize_by_parse;
