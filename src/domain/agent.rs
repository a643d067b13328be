//! Desk staff: identities and roles.

use std::fmt;

/// Internal id of an agent account. Never shown to customers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct AgentId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Agent,
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
        }
    }

    /// Its message in `locales/<tag>/labels.ftl`.
    pub fn message_id(self) -> &'static str {
        match self {
            Role::Agent => "Role-agent",
            Role::Supervisor => "Role-supervisor",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            _ => None,
        }
    }
}

/// A sign-in e-mail address: trimmed and lower-cased so that look-ups do not depend on typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("enter an e-mail address like name@example.com")]
pub struct InvalidEmail;

impl Email {
    pub fn parse(input: &str) -> Result<Email, InvalidEmail> {
        let value = input.trim().to_lowercase();
        let (local, domain) = value.split_once('@').ok_or(InvalidEmail)?;
        let plausible = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && value.len() <= 254
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if plausible {
            Ok(Email(value))
        } else {
            Err(InvalidEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Ana@Desk.Example ").unwrap().as_str(),
            "ana@desk.example"
        );
    }

    #[test]
    fn implausible_emails_are_refused() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@desk.example",
            "ana@desk",
            "a na@desk.example",
            "a@b@c.d",
        ] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::Agent, Role::Supervisor] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
