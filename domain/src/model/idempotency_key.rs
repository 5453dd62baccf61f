//! An idempotency key: the client's own name for one create, so that a retry after a
//! timeout gets the first call's answer instead of making the entries twice.

use std::fmt;
use std::str::FromStr;

/// A client's idempotency key: 1 to [`IdempotencyKey::MAX_CHARS`] characters, none of them
/// a control character (so it prints and logs as what it is).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

/// Why a key was refused; the message says what to send instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IdempotencyKeyError(String);

impl IdempotencyKey {
    /// The longest key, in characters.
    pub const MAX_CHARS: usize = 200;

    /// The key as sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for IdempotencyKey {
    type Err = IdempotencyKeyError;

    /// # Errors
    /// An empty key, one over 200 characters, or one holding a control character.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(IdempotencyKeyError(
                "is empty; send 1 to 200 characters that name this request (e.g. a UUID), or leave it out".into(),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(IdempotencyKeyError(format!(
                "is {chars} characters long; the limit is {} (a UUID is 36)",
                Self::MAX_CHARS
            )));
        }
        if raw.chars().any(char::is_control) {
            return Err(IdempotencyKeyError(
                "contains a control character (a newline, tab, NUL, …); use printable characters only, e.g. a UUID".into(),
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_of_one_to_two_hundred_printable_characters_is_accepted_as_sent() {
        for raw in [
            "k",
            "0190f5a8-7b1c-7cc2-9a51-2b0b7b4e6f10",
            " spaced key ",
            "ключ-é",
        ] {
            assert_eq!(raw.parse::<IdempotencyKey>().unwrap().as_str(), raw);
        }
        let longest = "é".repeat(IdempotencyKey::MAX_CHARS);
        assert!(longest.parse::<IdempotencyKey>().is_ok());
    }

    #[test]
    fn an_empty_a_too_long_or_a_control_character_key_is_refused_saying_why() {
        let too_long = "k".repeat(IdempotencyKey::MAX_CHARS + 1);
        for (raw, says) in [
            ("", "empty"),
            (too_long.as_str(), "201 characters"),
            ("a\nb", "control character"),
            ("a\u{0}", "control character"),
            ("\u{7f}", "control character"),
        ] {
            let err = raw.parse::<IdempotencyKey>().unwrap_err();
            assert!(err.to_string().contains(says), "{raw:?}: {err}");
        }
    }
}
