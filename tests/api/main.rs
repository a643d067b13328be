//! Integration tests: the real app over real HTTP, on a fresh PostgreSQL database per test.

mod account_security;
mod auth;
mod authorization;
mod billing_import;
mod bulk;
mod case_actions;
mod clock;
mod config;
mod customer;
mod helpers;
mod hermetic;
mod hostile_small;
mod hostile_throttles;
mod hostile_uploads;
mod intake_api;
mod logs;
mod notices;
mod plans;
mod provisioning;
mod queue;
mod retention;
mod settlements;
mod smtp_sink;
mod totp;
mod webhook_receiver;
mod withdrawal;
