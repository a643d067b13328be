//! Rebuilds the crate when a migration is added: `sqlx::migrate!` embeds the files of
//! `migrations/` at compile time, and without this a new file went unnoticed until some other
//! change recompiled the crate (the server then started without it).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
