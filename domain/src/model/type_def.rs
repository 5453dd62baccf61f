//! A project's data type: its collection name, descriptive text, optional JSON Schema for
//! entries, and its access rules.

use serde::Serialize;
use serde_json::Value;

use super::access::{Access, CreationAccess};
use super::ids::{CollectionName, ProjectId};

/// A data type of a project.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeDef {
    #[serde(skip)]
    pub project_id: ProjectId,
    pub collection_name: CollectionName,
    pub title: String,
    pub description: String,
    /// A JSON Schema every entry's own fields must satisfy, when present.
    pub schema: Option<Value>,
    pub default_access: Access,
    pub creation_access: CreationAccess,
}

/// Why a type definition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeDefError {
    #[error("the schema is not a valid JSON Schema: {0}")]
    Schema(String),
    #[error("creationAccess may not name \"creator\": nobody has created the entry yet")]
    CreatorInCreationAccess,
}

impl TypeDef {
    /// A type with defaults for anything not given: the collection name as title, no
    /// description, no schema, [`Access::default_for_type`] and editors may create.
    ///
    /// # Errors
    /// A schema that is not a valid JSON Schema, or `creator` in `creationAccess`.
    pub fn new(
        project_id: ProjectId,
        collection_name: CollectionName,
        title: Option<String>,
        description: Option<String>,
        schema: Option<Value>,
        default_access: Option<Access>,
        creation_access: Option<CreationAccess>,
    ) -> Result<Self, TypeDefError> {
        if let Some(schema) = &schema {
            jsonschema::validator_for(schema).map_err(|e| TypeDefError::Schema(e.to_string()))?;
        }
        let creation_access = creation_access.unwrap_or_default();
        if creation_access.0.contains(&super::Subject::Creator) {
            return Err(TypeDefError::CreatorInCreationAccess);
        }
        Ok(Self {
            project_id,
            title: title.unwrap_or_else(|| collection_name.to_string()),
            collection_name,
            description: description.unwrap_or_default(),
            schema,
            default_access: default_access.unwrap_or_else(Access::default_for_type),
            creation_access,
        })
    }

    /// Checks an entry's own fields against the schema, if the type has one.
    ///
    /// # Errors
    /// Every violation, joined, each with the JSON pointer of the offending value.
    pub fn validate(&self, fields: &serde_json::Map<String, Value>) -> Result<(), String> {
        let Some(schema) = &self.schema else {
            return Ok(());
        };
        let validator = jsonschema::validator_for(schema)
            .map_err(|e| format!("the type's schema is invalid: {e}"))?;
        let instance = Value::Object(fields.clone());
        let problems: Vec<String> = validator
            .iter_errors(&instance)
            .take(10)
            .map(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() {
                    e.to_string()
                } else {
                    format!("{at}: {e}")
                }
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_schema(schema: Value) -> TypeDef {
        TypeDef::new(
            ProjectId::from_uuid(uuid::Uuid::nil()),
            "tasks".parse().unwrap(),
            None,
            None,
            Some(schema),
            None,
            None,
        )
        .unwrap()
    }

    #[test]
    fn defaults_follow_the_design() {
        let t = TypeDef::new(
            ProjectId::from_uuid(uuid::Uuid::nil()),
            "tasks".parse().unwrap(),
            None,
            None,
            None,
            None,
            None,
        )
        .unwrap();
        assert_eq!(t.title, "tasks");
        assert_eq!(t.creation_access, CreationAccess::default());
        assert_eq!(
            serde_json::to_value(&t.default_access).unwrap(),
            json!({"read": ["members"], "update": ["creator", "role:admin"], "delete": ["creator", "role:admin"]})
        );
    }

    #[test]
    fn an_invalid_schema_is_refused() {
        let err = TypeDef::new(
            ProjectId::from_uuid(uuid::Uuid::nil()),
            "tasks".parse().unwrap(),
            None,
            None,
            Some(json!({"type": 12})),
            None,
            None,
        );
        assert!(matches!(err, Err(TypeDefError::Schema(_))));
    }

    #[test]
    fn fields_violating_the_schema_are_reported_with_their_location() {
        let t = with_schema(json!({"type": "object", "properties": {"n": {"type": "integer"}}}));
        let fields = json!({"n": "x"}).as_object().unwrap().clone();
        let err = t.validate(&fields).unwrap_err();
        assert!(err.contains("/n"), "{err}");
    }

    #[test]
    fn fields_satisfying_the_schema_pass() {
        let t = with_schema(json!({"type": "object", "required": ["n"]}));
        assert!(t.validate(json!({"n": 1}).as_object().unwrap()).is_ok());
    }
}
