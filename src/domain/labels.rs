//! A small macro for the closed sets of the domain (reasons, channels, kinds...): each variant has
//! a stable database/form value and an English label, kept together so they cannot drift apart.

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

            /// How the desk names it on screen.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

pub(crate) use labelled_enum;
