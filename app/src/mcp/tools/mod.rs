//! The tools, one per file. Each is a thin adapter: parse the arguments into the
//! use case's request, call it, wrap the result.

mod aggregate_data;
mod count_data;
mod create_data;
mod create_many;
mod delete_data;
mod delete_many;
mod get_data;
mod get_history;
mod list_activity;
mod list_projects;
mod list_types;
mod query_data;
mod restore_data;
mod update_data;
mod update_many;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use std::sync::Arc;

use super::failure::ToolFailure;
use super::server::PlatformMcp;
use super::untrusted::{Untrusted, fence};

/// The router of every tool, built once at start-up.
#[must_use]
pub fn router() -> ToolRouter<PlatformMcp> {
    PlatformMcp::list_projects_route()
        + PlatformMcp::list_types_route()
        + PlatformMcp::query_data_route()
        + PlatformMcp::count_data_route()
        + PlatformMcp::aggregate_data_route()
        + PlatformMcp::get_data_route()
        + PlatformMcp::create_data_route()
        + PlatformMcp::create_many_route()
        + PlatformMcp::update_data_route()
        + PlatformMcp::delete_data_route()
        + PlatformMcp::update_many_route()
        + PlatformMcp::delete_many_route()
        + PlatformMcp::get_history_route()
        + PlatformMcp::restore_data_route()
        + PlatformMcp::list_activity_route()
}

/// A tool's result as JSON, already built: `structuredContent` and its text copy, the text
/// written once by serde (rmcp's `Json<T>` would copy the value and write it through
/// `Display`). For large results (`query_data`'s pages).
/// The text, when given, must be exactly the value's compact JSON.
/// A result carrying entry content (`untrusted`) is marked in `_meta`, and its text is
/// fenced when `fence` (`server.untrusted_fence`); `structuredContent` stays as it is.
pub(crate) struct Structured {
    pub value: serde_json::Value,
    pub text: Option<String>,
    pub untrusted: Option<Untrusted>,
    pub fence: bool,
}

impl PlatformMcp {
    /// `out` as this server answers it: marked when it carries `untrusted` entry content.
    pub(crate) fn answer<T: serde::Serialize>(
        &self,
        out: &T,
        untrusted: Option<Untrusted>,
    ) -> Result<Structured, ToolFailure> {
        let value = serde_json::to_value(out).map_err(|e| {
            ToolFailure(domain::UseCaseError::Unexpected(format!(
                "serializing a result: {e}"
            )))
        })?;
        Ok(self.answer_value(value, None, untrusted))
    }

    /// One entry as `get_data` and the single-entry writes answer it; its creator wrote it.
    pub(crate) fn answer_entry(
        &self,
        entry: domain::model::Entry,
    ) -> Result<Structured, ToolFailure> {
        let untrusted = Untrusted::by([entry.created_by]);
        self.answer(&super::dto::EntryOut::from(entry), untrusted)
    }

    /// A result already written as JSON (and, if given, its compact text).
    pub(crate) fn answer_value(
        &self,
        value: serde_json::Value,
        text: Option<String>,
        untrusted: Option<Untrusted>,
    ) -> Structured {
        Structured {
            value,
            text,
            untrusted,
            fence: self.untrusted_fence,
        }
    }
}

impl rmcp::handler::server::tool::IntoCallToolResult for Structured {
    fn into_call_tool_result(self) -> Result<rmcp::model::CallToolResponse, rmcp::ErrorData> {
        let mut text = match self.text {
            Some(text) => text,
            None => serde_json::to_string(&self.value).map_err(|e| {
                rmcp::ErrorData::internal_error(format!("serializing a result: {e}"), None)
            })?,
        };
        let mut result = rmcp::model::CallToolResult::structured(serde_json::Value::Null);
        if let Some(untrusted) = &self.untrusted {
            result.meta = Some(untrusted.meta());
            if self.fence {
                text = fence(&text);
            }
        }
        result.content = vec![rmcp::model::ContentBlock::text(text)];
        result.structured_content = Some(self.value);
        Ok(result.into())
    }
}

/// The `outputSchema` of a tool: its result DTO's schema, or the error shape every tool may
/// answer with (`{"error": {"code", "message", …}}` with `isError: true`). Clients such as
/// the TypeScript SDK validate error results against the output schema too, so it must admit
/// both. Integer formats schemars adds (`uint64`, …) are dropped: they are not JSON Schema
/// formats and validators warn about them.
pub(crate) fn output_schema<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    let mut success = (*rmcp::handler::server::tool::schema_for_output::<T>()).clone();
    strip_integer_formats(&mut success);
    let defs = success.remove("$defs");
    success.remove("$schema");
    let error = serde_json::json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": ["NOT_FOUND", "PERMISSION_DENIED", "INVALID_ARGUMENT", "CONFLICT", "TIMEOUT"]},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                    "currentRevision": {"type": "integer"},
                    "changedEntries": {"type": "array", "items": {"type": "string"}}
                }
            }
        }
    });
    let mut schema = JsonObject::new();
    schema.insert("type".into(), "object".into());
    schema.insert(
        "anyOf".into(),
        serde_json::Value::Array(vec![serde_json::Value::Object(success), error]),
    );
    if let Some(defs) = defs {
        schema.insert("$defs".into(), defs);
    }
    Arc::new(schema)
}

fn strip_integer_formats(schema: &mut JsonObject) {
    let integer_format = schema
        .get("format")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|f| f.starts_with("uint") || f.starts_with("int"));
    if integer_format {
        schema.remove("format");
    }
    for value in schema.values_mut() {
        match value {
            serde_json::Value::Object(inner) => strip_integer_formats(inner),
            serde_json::Value::Array(items) => {
                for item in items {
                    if let serde_json::Value::Object(inner) = item {
                        strip_integer_formats(inner);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The `inputSchema` of a tool from its argument DTO.
pub(crate) fn input_schema<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    let schema = rmcp::handler::server::common::schema_for_input::<T>()
        .unwrap_or_else(|_| rmcp::handler::server::common::schema_for_empty_input());
    let mut schema = (*schema).clone();
    strip_integer_formats(&mut schema);
    Arc::new(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_a_description_and_an_output_schema_admitting_errors() {
        for tool in router().list_all() {
            assert!(
                tool.description.as_deref().is_some_and(|d| d.len() > 80),
                "{}",
                tool.name
            );
            let schema = serde_json::Value::Object((*tool.output_schema.clone().unwrap()).clone());
            assert_eq!(schema["type"], "object", "{}", tool.name);
            assert_eq!(
                schema["anyOf"][1]["required"],
                serde_json::json!(["error"]),
                "{}",
                tool.name
            );
            assert!(!schema.to_string().contains("uint"), "{}", tool.name);
        }
    }

    #[test]
    fn every_tool_that_may_carry_entry_content_says_it_is_data() {
        use crate::mcp::untrusted::{DESCRIPTION_NOTE, ENTRY_TOOLS};
        let tools = router().list_all();
        for name in ENTRY_TOOLS {
            let tool = tools.iter().find(|t| t.name == name);
            let description = tool.and_then(|t| t.description.as_deref());
            assert!(
                description.is_some_and(|d| d.contains(DESCRIPTION_NOTE)),
                "{name}: {description:?}"
            );
        }
    }

    #[test]
    fn a_page_as_built_is_the_json_and_the_text_serde_gives() {
        let entries = [
            serde_json::json!({"b": 1, "a": [true], "s": "quote \" and \u{e9} \n"}),
            serde_json::json!({"z": null}),
        ];
        for (next_cursor, entries, truncated_reason) in [
            (
                Some("c\"1".to_owned()),
                &entries[..],
                Some("why \"so\"".to_owned()),
            ),
            (None, &entries[..1], None),
            (None, &entries[..0], None),
        ] {
            let page = || crate::mcp::dto::PageOut {
                entries: entries
                    .iter()
                    .map(|e| e.as_object().unwrap().clone())
                    .collect(),
                next_cursor: next_cursor.clone(),
                returned: entries.len(),
                truncated: true,
                truncated_reason: truncated_reason.clone(),
                texts: entries.iter().map(|e| e.to_string()).collect(),
            };
            let (value, text) = page().into_value_and_text();
            assert_eq!(value, serde_json::to_value(page()).unwrap());
            assert_eq!(text, serde_json::to_string(&value).unwrap());
        }
    }

    #[test]
    fn the_tools_are_exactly_the_use_cases_and_their_annotations_follow_what_each_does() {
        use domain::usecases::{Effect, UseCase};
        let tools = router().list_all();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        let mut use_cases: Vec<&str> = UseCase::ALL.into_iter().map(UseCase::name).collect();
        use_cases.sort_unstable();
        assert_eq!(names, use_cases, "tools/list lists tools by name");
        for use_case in UseCase::ALL {
            let name = use_case.name();
            let hint = tools
                .iter()
                .find(|t| t.name == name)
                .and_then(|t| t.annotations.clone())
                .unwrap_or_else(|| panic!("{name} has no annotations"));
            assert_eq!(hint.read_only_hint, Some(!use_case.writes()), "{name}");
            let destructive = match use_case.effect() {
                // A reading tool may say so (aggregate_data does) or leave it out.
                Effect::Reads => hint.destructive_hint.filter(|d| !d),
                Effect::Adds => Some(false),
                Effect::Changes => Some(true),
            };
            assert_eq!(hint.destructive_hint, destructive, "{name}");
        }
        assert_eq!(
            tools
                .iter()
                .find(|t| t.name == "update_data")
                .and_then(|t| t.annotations.clone())
                .and_then(|a| a.idempotent_hint),
            Some(false)
        );
    }
}
