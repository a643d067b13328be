//! Integration tests: the real app over real HTTP, on a fresh PostgreSQL database per test.

mod auth;
mod authorization;
mod bulk;
mod case_actions;
mod customer;
mod clock;
mod helpers;
mod logs;
mod notices;
mod plans;
mod queue;
mod totp;
mod smtp_sink;
