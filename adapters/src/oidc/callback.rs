//! The provider's answer as the browser brings it back: the callback's query string
//! (RFC 6749 §4.1.2, with RFC 9207's `iss`).

use domain::ports::IdentityError;
use openidconnect::url::form_urlencoded;

/// A callback that carries a code (an error answer has become an [`IdentityError`]).
#[derive(PartialEq, Eq)]
pub(super) struct Callback {
    pub code: String,
    pub state: String,
    /// RFC 9207: the issuer that answered, when the provider says.
    pub iss: Option<String>,
}

impl Callback {
    /// Reads `code`, `state` and `iss`, or the provider's `error` / `error_description`.
    ///
    /// # Errors
    ///
    /// [`IdentityError::Refused`] with the provider's message when it answered with an error,
    /// and when `code` or `state` is missing or given twice.
    pub fn parse(query: &str) -> Result<Callback, IdentityError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut code = Field::default();
        let mut state = Field::default();
        let mut iss = Field::default();
        let mut error = Field::default();
        let mut error_description = Field::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let field = match &*name {
                "code" => &mut code,
                "state" => &mut state,
                "iss" => &mut iss,
                "error" => &mut error,
                "error_description" => &mut error_description,
                _ => continue,
            };
            field.push(value.into_owned());
        }
        if let Some(error) = error.single() {
            let message = match error_description.single() {
                Some(description) => format!("the provider answered {error}: {description}"),
                None => format!("the provider answered {error}"),
            };
            return Err(IdentityError::Refused(message));
        }
        let required = |field: Field, name: &str| {
            field.single().ok_or_else(|| {
                IdentityError::Refused(format!(
                    "the login callback needs exactly one `{name}` parameter"
                ))
            })
        };
        Ok(Callback {
            code: required(code, "code")?,
            state: required(state, "state")?,
            iss: iss.single(),
        })
    }
}

/// One query parameter; given twice, it counts as absent (an ambiguous answer is no answer).
#[derive(Default)]
struct Field {
    value: Option<String>,
    repeated: bool,
}

impl Field {
    fn push(&mut self, value: String) {
        self.repeated |= self.value.is_some();
        self.value = Some(value);
    }

    fn single(self) -> Option<String> {
        self.value.filter(|v| !self.repeated && !v.is_empty())
    }
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback")
            .field("code", &"REDACTED")
            .field("state", &"REDACTED")
            .field("iss", &self.iss)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(query: &str) -> String {
        match Callback::parse(query) {
            Err(IdentityError::Refused(message)) => message,
            other => panic!("{query:?}: expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_code_callback_gives_code_state_and_issuer() {
        let callback =
            Callback::parse("?code=abc%2Fd&state=s1&iss=https%3A%2F%2Fop.example&extra=1").unwrap();
        assert_eq!(
            callback,
            Callback {
                code: "abc/d".to_owned(),
                state: "s1".to_owned(),
                iss: Some("https://op.example".to_owned()),
            }
        );
    }

    #[test]
    fn an_error_callback_is_refused_with_the_providers_message() {
        assert_eq!(
            refusal("error=access_denied&error_description=The+person+said+no&state=s1"),
            "the provider answered access_denied: The person said no"
        );
        assert_eq!(
            refusal("error=login_required&state=s1"),
            "the provider answered login_required"
        );
    }

    #[test]
    fn a_callback_without_code_or_state_is_refused() {
        assert!(refusal("state=s1").contains("`code`"));
        assert!(refusal("code=c1").contains("`state`"));
        assert!(refusal("code=c1&state=").contains("`state`"));
        assert!(refusal("").contains("`code`"));
    }

    #[test]
    fn a_repeated_parameter_is_refused() {
        assert!(refusal("code=c1&code=c2&state=s1").contains("`code`"));
        assert!(refusal("code=c1&state=s1&state=s2").contains("`state`"));
    }

    #[test]
    fn the_debug_output_shows_neither_code_nor_state() {
        let shown = format!(
            "{:?}",
            Callback::parse("code=secret-code&state=secret-state")
        );
        assert!(!shown.contains("secret"), "{shown}");
    }
}
