//! Integration tests: the real app over real HTTP, on a fresh PostgreSQL database per test.

mod auth;
mod authorization;
mod bulk;
mod case_actions;
mod clock;
mod customer;
mod helpers;
mod hostile_small;
mod intake_api;
mod logs;
mod notices;
mod plans;
mod queue;
mod smtp_sink;
mod totp;
