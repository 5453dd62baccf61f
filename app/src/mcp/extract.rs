//! The authenticated caller inside a tool: the bearer middleware put a `Principal` into the
//! HTTP request; the transport's `on_request` hook copied it into rmcp's extensions; this
//! extractor reads it back. A tool that takes `Authenticated` cannot run without one.

use domain::model::Principal;
use rmcp::ErrorData;
use rmcp::handler::server::common::{AsRequestContext, FromContextPart};
use rmcp::model::Extensions;
use rmcp_actix_web::transport::on_request_extensions;

/// The caller of a tool.
pub struct Authenticated(pub Principal);

/// The principal the middleware attached to this request, if any.
pub fn principal(extensions: &Extensions) -> Result<Principal, ErrorData> {
    on_request_extensions(extensions)
        .and_then(|ext| ext.get::<Principal>())
        .cloned()
        // The middleware refuses unauthenticated requests before rmcp sees them, so this is
        // a wiring fault, not a caller's mistake.
        .ok_or_else(|| {
            ErrorData::internal_error("the request carries no authenticated caller", None)
        })
}

impl<C: AsRequestContext> FromContextPart<C> for Authenticated {
    fn from_context_part(context: &mut C) -> Result<Self, ErrorData> {
        principal(&context.as_request_context().extensions).map(Authenticated)
    }
}
