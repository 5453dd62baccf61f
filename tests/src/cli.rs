//! The admin CLI, run in-process on a throwaway SQLite database: every command works, and
//! every mistake is an error that says what to do (the binary turns it into a non-zero exit).

use std::path::PathBuf;

use app::cli::{Cli, run};
use clap::Parser;

struct Env {
    _dir: tempfile::TempDir,
    config: PathBuf,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("platform-mcp.toml");
    let url = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    std::fs::write(&config, format!("[database]\nurl = \"{url}\"\n")).unwrap();
    Env { _dir: dir, config }
}

async fn cli(env: &Env, args: &[&str]) -> anyhow::Result<()> {
    let mut argv = vec!["platform-mcp", "--config", env.config.to_str().unwrap()];
    argv.extend_from_slice(args);
    run(Cli::try_parse_from(argv)?).await
}

async fn err(env: &Env, args: &[&str]) -> String {
    format!(
        "{:#}",
        cli(env, args).await.expect_err("the command should fail")
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_project_member_type_flag_and_token_can_be_set_up() {
    let e = env();
    cli(
        &e,
        &[
            "admin",
            "user",
            "add",
            "--email",
            "ada@example.com",
            "--name",
            "Ada",
        ],
    )
    .await
    .unwrap();
    cli(&e, &["admin", "user", "add", "--email", "bob@example.com"])
        .await
        .unwrap();
    cli(
        &e,
        &[
            "admin",
            "project",
            "create",
            "--name",
            "Sales",
            "--owner",
            "ada@example.com",
        ],
    )
    .await
    .unwrap();
    cli(
        &e,
        &[
            "admin",
            "flag",
            "enable",
            "--email",
            "ada@example.com",
            "--flag",
            "mcp",
        ],
    )
    .await
    .unwrap();
    cli(
        &e,
        &[
            "admin",
            "token",
            "mint",
            "--email",
            "ada@example.com",
            "--ttl",
            "10m",
            "--scope",
            "data:read",
        ],
    )
    .await
    .unwrap();
    cli(
        &e,
        &[
            "admin",
            "client",
            "add",
            "--name",
            "Tool",
            "--redirect-uri",
            "https://tool.example/cb",
            "--confidential",
        ],
    )
    .await
    .unwrap();
    cli(
        &e,
        &["admin", "consent", "list", "--email", "ada@example.com"],
    )
    .await
    .unwrap();
    cli(&e, &["migrate"]).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_person_is_refused_by_email() {
    let e = env();
    cli(&e, &["admin", "user", "add", "--email", "ada@example.com"])
        .await
        .unwrap();
    assert!(
        err(&e, &["admin", "user", "add", "--email", "ADA@example.com"])
            .await
            .contains("already exists")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_for_an_unknown_owner_says_how_to_add_them() {
    let e = env();
    let message = err(
        &e,
        &[
            "admin",
            "project",
            "create",
            "--name",
            "X",
            "--owner",
            "nobody@example.com",
        ],
    )
    .await;
    assert!(message.contains("admin user add"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_values_are_named() {
    let e = env();
    cli(&e, &["admin", "user", "add", "--email", "ada@example.com"])
        .await
        .unwrap();
    let project = uuid::Uuid::now_v7().to_string();
    assert!(
        err(
            &e,
            &[
                "admin",
                "member",
                "add",
                "--project",
                &project,
                "--email",
                "ada@example.com",
                "--role",
                "god"
            ]
        )
        .await
        .contains("not a role")
    );
    assert!(
        err(
            &e,
            &[
                "admin",
                "member",
                "add",
                "--project",
                "42",
                "--email",
                "ada@example.com",
                "--role",
                "viewer"
            ]
        )
        .await
        .contains("project id")
    );
    assert!(
        err(&e, &["admin", "user", "add", "--email", "not-an-email"])
            .await
            .contains("not an email")
    );
    assert!(
        err(
            &e,
            &[
                "admin",
                "token",
                "mint",
                "--email",
                "ada@example.com",
                "--scope",
                "root"
            ]
        )
        .await
        .contains("unknown scope")
    );
    assert!(
        err(
            &e,
            &[
                "admin",
                "token",
                "mint",
                "--email",
                "ada@example.com",
                "--ttl",
                "soon"
            ]
        )
        .await
        .contains("duration")
    );
    assert!(
        err(
            &e,
            &[
                "admin",
                "client",
                "add",
                "--name",
                "X",
                "--redirect-uri",
                "http://evil.example/cb"
            ]
        )
        .await
        .contains("https")
    );
    assert!(
        err(
            &e,
            &[
                "admin",
                "consent",
                "revoke",
                "--email",
                "ada@example.com",
                "--client",
                "nope"
            ]
        )
        .await
        .contains("not approved")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_type_with_a_schema_file_is_created_once() {
    let e = env();
    cli(&e, &["admin", "user", "add", "--email", "ada@example.com"])
        .await
        .unwrap();
    cli(
        &e,
        &[
            "admin",
            "project",
            "create",
            "--name",
            "Sales",
            "--owner",
            "ada@example.com",
        ],
    )
    .await
    .unwrap();
    let opened = {
        let settings = app::config::Settings::load(Some(&e.config)).unwrap();
        app::startup::open(&settings).await.unwrap()
    };
    let ada = opened
        .storage
        .directory
        .user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    opened
        .storage
        .directory
        .set_flag(ada.id, domain::model::MCP_FLAG, true)
        .await
        .unwrap();
    let project = domain::usecases::list_projects(
        &opened.storage.ports,
        &domain::model::Principal::authenticated(
            ada.id,
            ["data:read".to_owned()].into(),
            "t".into(),
        ),
    )
    .await
    .unwrap()[0]
        .project
        .id
        .to_string();
    let schema = e.config.with_file_name("schema.json");
    std::fs::write(&schema, r#"{"type": "object", "required": ["title"]}"#).unwrap();
    let args = [
        "admin",
        "type",
        "create",
        "--project",
        &project,
        "--collection",
        "deals",
        "--schema",
        schema.to_str().unwrap(),
        "--creation-access",
        r#"["role:viewer"]"#,
    ];
    cli(&e, &args).await.unwrap();
    assert!(err(&e, &args).await.contains("already has a collection"));
    let bad = [
        "admin",
        "type",
        "create",
        "--project",
        &project,
        "--collection",
        "Bad-Name",
    ];
    assert!(err(&e, &bad).await.contains("collection name"));
    let creator = [
        "admin",
        "type",
        "create",
        "--project",
        &project,
        "--collection",
        "x",
        "--creation-access",
        r#"["creator"]"#,
    ];
    assert!(err(&e, &creator).await.contains("creator"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_seeds_once_and_can_run_again() {
    let e = env();
    cli(&e, &["admin", "demo"]).await.unwrap();
    cli(&e, &["admin", "demo"]).await.unwrap();
    let settings = app::config::Settings::load(Some(&e.config)).unwrap();
    let opened = app::startup::open(&settings).await.unwrap();
    let demo = opened
        .storage
        .directory
        .user_by_email("demo@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(
        opened
            .storage
            .flags
            .is_enabled(demo.id, "mcp")
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_commands_work_while_the_identity_provider_is_down() {
    let e = env();
    let config = std::fs::read_to_string(&e.config).unwrap();
    let oidc = "[identity]\nprovider = \"oidc\"\n[identity.oidc]\nissuer = \"http://127.0.0.1:9\"\nclient_id = \"c\"\n";
    std::fs::write(&e.config, format!("{config}{oidc}")).unwrap();
    cli(&e, &["admin", "user", "add", "--email", "ada@example.com"])
        .await
        .unwrap();
    cli(&e, &["migrate"]).await.unwrap();
}
