//! Protocol errors of the HTTP service: `{"error": {"code": "...", "message": "..."}}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Every protocol error code the service answers with, its HTTP status and meaning (the
/// README's table; `tests/it/serve_http.rs` checks each one it can provoke).
pub const ERROR_CODES: &[(&str, u16, &str)] = &[
    (
        "bad_query",
        400,
        "a query parameter is malformed (e.g. `annotate=maybe`, `lang=fr`)",
    ),
    (
        "unknown_spec",
        400,
        "`spec` names no built-in spec (the message lists the known ids)",
    ),
    (
        "missing_photo",
        400,
        "the body is empty, or a multipart form has no non-empty `photo` field",
    ),
    (
        "bad_request",
        400,
        "the body could not be read, or the multipart form is malformed",
    ),
    (
        "unauthorized",
        401,
        "the service has a bearer token (`--token-file`) and the request did not carry it",
    ),
    ("not_found", 404, "no such endpoint"),
    (
        "upload_timeout",
        408,
        "the upload (the whole body) took longer than `--body-timeout`",
    ),
    (
        "method_not_allowed",
        405,
        "the endpoint exists but not for this method",
    ),
    (
        "body_too_large",
        413,
        "the request body is larger than `--max-body`",
    ),
    (
        "unsupported_media_type",
        415,
        "`Content-Type` is neither an image type, `application/octet-stream` nor `multipart/form-data`",
    ),
    (
        "internal",
        500,
        "a bug or a model failure (never caused by the photo)",
    ),
    (
        "busy",
        503,
        "`--max-concurrent` checks are running and `--queue` more are waiting; retry later (`Retry-After`)",
    ),
    (
        "timeout",
        504,
        "upload, wait and check took longer than `--timeout`",
    ),
];

/// A protocol error: an HTTP status, a stable code (see [`ERROR_CODES`]) and a message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human message.
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error with the status that [`ERROR_CODES`] gives `code`.
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        let status = ERROR_CODES
            .iter()
            .find(|(c, _, _)| *c == code)
            .and_then(|(_, s, _)| StatusCode::from_u16(*s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_status() {
        for (code, status, _) in ERROR_CODES {
            assert_eq!(ApiError::new(code, "x").status.as_u16(), *status, "{code}");
        }
    }
}
