//! Tool arguments as real clients send them: strict about names (a misspelled `filtre` must
//! not silently return unfiltered data), lenient about shape (some clients send `data`,
//! `modifier` or `filter` as a JSON string; tools that take nothing ignore a dummy argument).

use rmcp::model::JsonObject;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::failure::ToolFailure;

/// What a tool accepts.
pub struct ArgSpec {
    /// Every argument name the tool takes.
    pub known: &'static [&'static str],
    /// Arguments that hold a JSON object or array and may arrive as a string of JSON.
    pub structured: &'static [&'static str],
}

/// Parses a tool's arguments into its DTO.
///
/// # Errors
/// An unknown argument (named, with the accepted ones listed) or an argument of the wrong
/// type (named by its path), as an `INVALID_ARGUMENT` tool result.
pub fn parse<T: DeserializeOwned>(mut raw: JsonObject, spec: &ArgSpec) -> Result<T, ToolFailure> {
    if let Some(unknown) = raw.keys().find(|k| !spec.known.contains(&k.as_str())) {
        return Err(ToolFailure::invalid(
            unknown,
            format!(
                "unknown argument \"{unknown}\"; this tool takes {}",
                spec.known.join(", ")
            ),
        ));
    }
    for name in spec.structured {
        if let Some(Value::String(text)) = raw.get(*name)
            && let Ok(parsed @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str(text)
        {
            raw.insert((*name).to_owned(), parsed);
        }
    }
    serde_path_to_error::deserialize(Value::Object(raw)).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "arguments".to_owned()
        } else {
            path
        };
        ToolFailure::invalid(&field, e.into_inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Args {
        project_id: String,
        filter: Option<Value>,
        limit: Option<i64>,
    }

    const SPEC: ArgSpec = ArgSpec {
        known: &["projectId", "filter", "limit"],
        structured: &["filter"],
    };

    fn obj(v: Value) -> JsonObject {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn an_unknown_argument_is_named_with_the_accepted_ones() {
        let err = parse::<Args>(obj(json!({"projectId": "p", "filtre": {}})), &SPEC).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("filtre") && text.contains("projectId, filter, limit"),
            "{text}"
        );
    }

    #[test]
    fn a_structured_argument_sent_as_a_json_string_is_accepted() {
        let args: Args = parse(
            obj(json!({"projectId": "p", "filter": "{\"a\": 1}", "limit": 3})),
            &SPEC,
        )
        .unwrap();
        assert_eq!(args.filter, Some(json!({"a": 1})));
        assert_eq!((args.project_id.as_str(), args.limit), ("p", Some(3)));
    }

    #[test]
    fn a_wrong_type_names_the_argument() {
        let err = parse::<Args>(obj(json!({"projectId": "p", "limit": "ten"})), &SPEC).unwrap_err();
        assert!(err.to_string().contains("limit"), "{err}");
    }

    #[test]
    fn a_missing_required_argument_is_named() {
        let err = parse::<Args>(obj(json!({})), &SPEC).unwrap_err();
        assert!(err.to_string().contains("projectId"), "{err}");
    }
}
