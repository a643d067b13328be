//! E-mail to an agent about a change to their own account, written into the outbox in the
//! transaction of the change (so the change and the warning exist together or not at all). The
//! delivery worker sends it like any e-mail notice. Texts say what happened and what to do if it
//! was not them; they name no secret.

use sqlx::PgConnection;

use crate::domain::agent::AgentId;
use crate::store::agent_notices;

/// What happened to the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    /// Two-factor sign-in was turned on; the agent's other sessions were signed out.
    SecondFactorEnabled,
    /// Two-factor sign-in was turned off by the agent.
    SecondFactorDisabled,
    /// The sign-in e-mail changed to this address (the notice goes to the old one).
    EmailChanged { new_email: String },
}

/// Subject and body of the e-mail.
pub fn text(name: &str, change: &AccountChange) -> (String, String) {
    let (subject, what) = match change {
        AccountChange::SecondFactorEnabled => (
            "Two-factor sign-in was turned on for your Canceldesk account",
            "two-factor sign-in was turned on for your Canceldesk account, and your other \
             sessions were signed out."
                .to_owned(),
        ),
        AccountChange::SecondFactorDisabled => (
            "Two-factor sign-in was turned off for your Canceldesk account",
            "two-factor sign-in was turned off for your Canceldesk account: it now signs in \
             with the password alone."
                .to_owned(),
        ),
        AccountChange::EmailChanged { new_email } => (
            "The sign-in e-mail of your Canceldesk account was changed",
            format!(
                "the sign-in e-mail of your Canceldesk account was changed from this address \
                 to {new_email}. Notices about the account now go there."
            ),
        ),
    };
    let body = format!(
        "Hello {name},\n\n\
         {what}\n\n\
         The change was confirmed with your password. If it was you, there is nothing to do.\n\
         If it was not you, someone knows your password: tell a supervisor at once, so that \
         they can reset your password and second factor and end every session of the account.\n\n\
         Canceldesk\n"
    );
    (subject.to_owned(), body)
}

/// Writes the e-mail for `change` to `to` in the caller's transaction.
pub async fn enqueue(
    conn: &mut PgConnection,
    agent: AgentId,
    name: &str,
    to: &str,
    change: &AccountChange,
) -> sqlx::Result<()> {
    let (subject, body) = text(name, change);
    agent_notices::insert(conn, agent, to, &subject, &body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_says_what_happened_and_what_to_do() {
        let (subject, body) = text(
            "Ana",
            &AccountChange::EmailChanged {
                new_email: "ana.new@desk.test".into(),
            },
        );
        assert!(subject.contains("e-mail"));
        assert!(body.starts_with("Hello Ana,"));
        assert!(body.contains("ana.new@desk.test"));
        assert!(body.contains("tell a supervisor"));
        let (subject, body) = text("Ana", &AccountChange::SecondFactorEnabled);
        assert!(subject.contains("turned on"));
        assert!(body.contains("other sessions were signed out"));
    }
}
