//! The people, project and types both databases get, through the adapter's own `Directory`
//! (as the admin CLI makes them): an owner, an editor with the `mcp` flag who makes every
//! call, and one project with the two collections, each with the default access (members
//! read; the creator and admins change).

use domain::model::{
    Access, CollectionName, Member, Project, ProjectId, Role, TypeDef, User, UserId,
};
use domain::ports::Directory;
use serde_json::Value;

/// The two collections.
pub struct Collections {
    pub small: CollectionName,
    pub large: CollectionName,
}

impl Collections {
    /// `small` and `large`.
    ///
    /// # Errors
    /// Never with these names.
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self {
            small: "small".parse()?,
            large: "large".parse()?,
        })
    }
}

/// Who is who.
#[derive(Debug, Clone, Copy)]
pub struct People {
    pub project: ProjectId,
    pub owner: UserId,
    /// The caller of every measured operation: an editor, so the read rule is checked per
    /// row (an owner or admin would pass it wholesale).
    pub editor: UserId,
}

impl People {
    /// The editor as a member of the project.
    pub fn member(&self) -> Member {
        Member {
            user: self.editor,
            project: self.project,
            role: Role::Editor,
        }
    }

    /// The `access` an entry the owner creates gets from the type's default.
    ///
    /// # Errors
    /// Never in practice (serializing the domain's own value).
    pub fn entry_access(&self) -> anyhow::Result<Value> {
        Ok(serde_json::to_value(
            Access::default_for_type().resolve_creator(self.owner),
        )?)
    }
}

fn user(name: &str) -> User {
    let id = UserId::from_uuid(uuid::Uuid::now_v7());
    User {
        id,
        email: format!("{name}-{id}@bench.example.com"),
        display_name: name.to_owned(),
        identity: None,
    }
}

/// Creates the people, the project and its two types.
///
/// # Errors
/// The directory failed.
pub async fn create(
    directory: &dyn Directory,
    collections: &Collections,
) -> anyhow::Result<People> {
    let owner = user("owner");
    let editor = user("editor");
    directory.create_user(&owner).await?;
    directory.create_user(&editor).await?;
    directory.set_flag(editor.id, "mcp", true).await?;
    let project = Project {
        id: ProjectId::from_uuid(uuid::Uuid::now_v7()),
        name: "Bench".into(),
        description: "make bench".into(),
    };
    directory.create_project(&project, owner.id).await?;
    directory
        .set_member(project.id, editor.id, Role::Editor)
        .await?;
    for collection in [&collections.small, &collections.large] {
        let type_def = TypeDef::new(
            project.id,
            collection.clone(),
            Some(format!("{collection} collection")),
            None,
            None,
            None,
            None,
        )?;
        directory.create_type(&type_def).await?;
    }
    Ok(People {
        project: project.id,
        owner: owner.id,
        editor: editor.id,
    })
}
