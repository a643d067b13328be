//! The case page (`/cases/{reference}`), its actions, its documents, its legal hold and its
//! cancellation order.

pub mod actions;
pub mod assist;
pub mod documents;
pub mod hold;
pub mod page;
pub mod provisioning;

use crate::domain::reference::CaseReference;
use crate::error::AppError;

/// A reference from the URL; anything that is not one is simply not found.
pub fn reference(raw: &str) -> Result<CaseReference, AppError> {
    CaseReference::parse(raw).map_err(|_| AppError::NotFound)
}
