//! The case page (`/cases/{reference}`), its actions and its documents.

pub mod actions;
pub mod documents;
pub mod page;

use crate::domain::reference::CaseReference;
use crate::error::AppError;

/// A reference from the URL; anything that is not one is simply not found.
pub fn reference(raw: &str) -> Result<CaseReference, AppError> {
    CaseReference::parse(raw).map_err(|_| AppError::NotFound)
}
