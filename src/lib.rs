//! Canceldesk: the support desk that reviews requests to cancel SIM and data cards.

pub mod assist;
pub mod auth;
pub mod background;
pub mod billing_import;
pub mod body_deadline;
pub mod bulk;
pub mod cli;
pub mod clock;
pub mod config;
pub mod database;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod intake;
pub mod notices;
pub mod provisioning;
pub mod retention;
pub mod routes;
pub mod seed;
pub mod settlements;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod withdrawal;
pub mod workflow;
