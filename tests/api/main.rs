//! Integration tests: the real app over real HTTP, on a fresh PostgreSQL database per test.

mod auth;
mod authorization;
mod bulk;
mod case_actions;
mod customer;
mod helpers;
mod logs;
mod plans;
mod queue;
mod totp;
