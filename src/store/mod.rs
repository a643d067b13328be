//! All SQL of the app lives here, one file per entity. Functions take a pool or a connection
//! (a transaction when the caller needs several statements to commit together).

pub mod agent_names;
pub mod agent_notices;
pub mod agents;
pub mod api_tokens;
pub mod applications;
pub mod assist;
pub mod audit;
pub mod billing;
pub mod billing_imports;
pub mod blobs;
pub mod bulk;
pub mod cases;
pub mod columns;
pub mod customer;
pub mod desk_settings;
pub mod documents;
pub mod history;
pub mod notices;
pub mod orders;
pub mod queue;
pub mod reports;
pub mod retention;
pub mod second_factor;
pub mod session_cache;
pub mod sessions;
pub mod settlements;
pub mod sign_in;
pub mod upload_links;
pub mod views;
