//! What another system's API token lets it do: send applications for a channel (the hotline,
//! a service point), take cancellation orders and report their results (provisioning), or mark
//! refunds paid (finance).

use super::request::Channel;

/// A token's grant. Stored as a scope and, for intake, the channel its cases come in by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenGrant {
    Intake(Channel),
    Orders,
    Finance,
}

/// The part of the API a route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Intake,
    Orders,
    Finance,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Intake => "intake",
            Scope::Orders => "orders",
            Scope::Finance => "finance",
        }
    }

    pub fn parse(value: &str) -> Option<Scope> {
        [Scope::Intake, Scope::Orders, Scope::Finance]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

impl TokenGrant {
    /// Every grant a supervisor can give, in the order the form offers them.
    pub const ALL: [TokenGrant; 4] = [
        TokenGrant::Intake(Channel::Hotline),
        TokenGrant::Intake(Channel::ServicePoint),
        TokenGrant::Orders,
        TokenGrant::Finance,
    ];

    pub fn scope(self) -> Scope {
        match self {
            TokenGrant::Intake(_) => Scope::Intake,
            TokenGrant::Orders => Scope::Orders,
            TokenGrant::Finance => Scope::Finance,
        }
    }

    pub fn channel(self) -> Option<Channel> {
        match self {
            TokenGrant::Intake(channel) => Some(channel),
            TokenGrant::Orders | TokenGrant::Finance => None,
        }
    }

    /// The value forms and the command line use.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenGrant::Intake(Channel::ServicePoint) => "service_point",
            TokenGrant::Intake(_) => "hotline",
            TokenGrant::Orders => "orders",
            TokenGrant::Finance => "finance",
        }
    }

    pub fn parse(value: &str) -> Option<TokenGrant> {
        TokenGrant::ALL.into_iter().find(|g| g.as_str() == value)
    }

    /// From the stored scope and channel; `None` for a combination the database forbids.
    pub fn from_columns(scope: Scope, channel: Option<Channel>) -> Option<TokenGrant> {
        match (scope, channel) {
            (Scope::Intake, Some(channel)) if channel != Channel::Web => {
                Some(TokenGrant::Intake(channel))
            }
            (Scope::Orders, None) => Some(TokenGrant::Orders),
            (Scope::Finance, None) => Some(TokenGrant::Finance),
            _ => None,
        }
    }

    /// Its message in `locales/<tag>/admin.ftl`.
    pub fn message_id(self) -> &'static str {
        match self {
            TokenGrant::Intake(Channel::ServicePoint) => "grant-intake-service-point",
            TokenGrant::Intake(_) => "grant-intake-hotline",
            TokenGrant::Orders => "grant-orders",
            TokenGrant::Finance => "grant-finance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenGrant::Intake(Channel::ServicePoint) => "Intake: service point",
            TokenGrant::Intake(_) => "Intake: hotline",
            TokenGrant::Orders => "Provisioning: orders",
            TokenGrant::Finance => "Finance: refunds paid",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_round_trip_through_forms_and_columns() {
        for grant in TokenGrant::ALL {
            assert_eq!(TokenGrant::parse(grant.as_str()), Some(grant));
            assert_eq!(
                TokenGrant::from_columns(grant.scope(), grant.channel()),
                Some(grant)
            );
        }
        assert_eq!(TokenGrant::parse("web"), None);
        assert_eq!(
            TokenGrant::from_columns(Scope::Orders, Some(Channel::Hotline)),
            None
        );
        assert_eq!(
            TokenGrant::from_columns(Scope::Intake, Some(Channel::Web)),
            None
        );
        assert_eq!(TokenGrant::from_columns(Scope::Intake, None), None);
    }
}
