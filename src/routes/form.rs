//! `HtmlForm<T>`: a URL-encoded form body read into an explicit struct (repeated fields such as
//! check boxes become `Vec`s). Unknown fields are ignored; nothing maps onto a model directly.

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::AppError;

pub struct HtmlForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for HtmlForm<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|_| {
                AppError::BadRequest(crate::routes::language::tr().get("refused-form-unreadable"))
            })?;
            serde_html_form::from_bytes(&body)
                .map(HtmlForm)
                .map_err(|_| {
                    AppError::BadRequest(
                        crate::routes::language::tr().get("refused-form-incomplete"),
                    )
                })
        })
    }
}
