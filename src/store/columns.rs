//! The domain's closed sets as database columns. Each is stored as its `as_str()` text; reading
//! a value the domain does not know fails the query loudly (a corrupt row must never turn into an
//! actionable case), instead of falling back to some default.
//!
//! Also the two SQL facts several queries share, written once: whether a case's identity card
//! has been accepted, and whether billing knows its line.

use serde::Deserialize;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

use crate::domain::agent::Role;
use crate::domain::bulk::{BulkKind, ItemOutcome};
use crate::domain::case::State;
use crate::domain::document::{DocumentKind, Verdict};
use crate::domain::event::{ActorKind, EventKind};
use crate::domain::money::Currency;
use crate::domain::notice::{NoticeChannel, NoticeKind};
use crate::domain::order::OrderStatus;
use crate::domain::request::{
    CancelReason, Channel, ContactChannel, LineType, RejectReason, Settlement,
};
use crate::domain::settlement::SettlementStatus;
use crate::i18n::Locale;

/// `EXISTS (…)`: an identity card of case `c` has been accepted by an agent (approval needs it).
macro_rules! identity_accepted_sql {
    () => {
        "EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id
                 AND d.kind = 'identity_card' AND d.verdict = 'accepted')"
    };
}
pub(crate) use identity_accepted_sql;

/// Billing knows the line of case `c` under the applicant's account: its fee and balance are real.
macro_rules! billing_known_sql {
    () => {
        "(c.billing_status = 'matched')"
    };
}
pub(crate) use billing_known_sql;

/// The state of case `c`'s latest cancellation order (NULL: none).
macro_rules! order_status_sql {
    () => {
        "(SELECT o.status FROM provisioning_orders o WHERE o.case_id = c.id
          ORDER BY o.created_at DESC LIMIT 1)"
    };
}
pub(crate) use order_status_sql;

macro_rules! text_column {
    ($($ty:ty),+ $(,)?) => {$(
        impl Type<Postgres> for $ty {
            fn type_info() -> PgTypeInfo {
                <&str as Type<Postgres>>::type_info()
            }
            fn compatible(ty: &PgTypeInfo) -> bool {
                <&str as Type<Postgres>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Postgres> for $ty {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<Postgres>>::decode(value)?;
                <$ty>::parse(text).ok_or_else(|| {
                    format!("unknown {} in the database: {text:?}", stringify!($ty)).into()
                })
            }
        }

        impl Encode<'_, Postgres> for $ty {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <&str as Encode<Postgres>>::encode_by_ref(&self.as_str(), buf)
            }
        }

        impl sqlx::postgres::PgHasArrayType for $ty {
            fn array_type_info() -> PgTypeInfo {
                <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }
    )+};
}

text_column!(
    State,
    Role,
    Channel,
    ContactChannel,
    LineType,
    CancelReason,
    RejectReason,
    Settlement,
    DocumentKind,
    Verdict,
    NoticeKind,
    NoticeChannel,
    EventKind,
    ActorKind,
    BulkKind,
    ItemOutcome,
    OrderStatus,
    SettlementStatus,
    Currency,
    Locale,
);

/// A `bytea` as PostgreSQL writes it into JSON (`"\\x0a1b…"`), for rows the case page reads as
/// JSON aggregates (`cases::find_for_page`).
pub fn bytea_from_json<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    text.strip_prefix("\\x")
        .and_then(|digits| hex::decode(digits).ok())
        .ok_or_else(|| serde::de::Error::custom("not a bytea in hex"))
}
