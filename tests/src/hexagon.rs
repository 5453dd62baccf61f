//! The hexagon's dependency rules, read from `cargo tree`: the domain has no I/O dependency
//! (no database driver, web framework, MCP SDK, HTTP client, OIDC client, config loader or
//! async runtime), and no crate below `app` depends on it. And, read from the source, `app`
//! takes time and new ids only from the `Clock` and `IdGenerator` ports.

use std::path::Path;
use std::process::Command;

/// Crates that do I/O (or exist to serve it); the domain may depend on none of them.
const IO_CRATES: [&str; 11] = [
    "sqlx",
    "actix-web",
    "actix-http",
    "rmcp",
    "reqwest",
    "hyper",
    "openidconnect",
    "config",
    "tokio",
    "mio",
    "socket2",
];

/// The names of the crates `cargo tree <args>` lists (with `--prefix none`, one a line).
fn tree(args: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(env!("CARGO"))
        .arg("tree")
        .args(args)
        .args(["--prefix", "none"])
        .current_dir(&root)
        .output()
        .expect("run cargo tree");
    assert!(
        output.status.success(),
        "cargo tree {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let names: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert!(!names.is_empty(), "cargo tree {args:?} printed nothing");
    names
}

fn is_io_crate(name: &str) -> bool {
    IO_CRATES.iter().any(|io| {
        name == *io
            || name
                .strip_prefix(io)
                .is_some_and(|rest| rest.starts_with('-'))
    })
}

#[test]
fn the_domain_has_no_io_dependency() {
    let deps = tree(&["-p", "domain", "-e", "normal"]);
    assert!(
        deps.contains(&"serde_json".to_owned()),
        "unexpected output: {deps:?}"
    );
    let mut io: Vec<&String> = deps.iter().filter(|d| is_io_crate(d)).collect();
    io.sort();
    io.dedup();
    assert!(io.is_empty(), "the domain depends on I/O crates: {io:?}");
}

#[test]
fn neither_the_domain_nor_the_adapters_depend_on_the_app() {
    for krate in ["domain", "adapters"] {
        let deps = tree(&["-p", krate, "-e", "all"]);
        assert_eq!(deps.first().map(String::as_str), Some(krate));
        assert!(
            !deps.iter().any(|d| d == "app"),
            "{krate} depends on app: {deps:?}"
        );
    }
}

#[test]
fn the_io_crate_check_matches_whole_names_and_their_families() {
    assert!(is_io_crate("tokio"));
    assert!(is_io_crate("sqlx-core"));
    assert!(!is_io_crate("tokio_like"));
    assert!(!is_io_crate("configurable"));
    assert!(!is_io_crate("serde_json"));
}

#[test]
fn the_app_reads_the_clock_and_makes_ids_only_through_the_ports() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    let mut found = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if relative.ends_with("tests.rs") {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or("");
            for (n, line) in code.lines().enumerate() {
                if line.contains("Utc::now()") || line.contains("Uuid::now_v7()") {
                    found.push(format!("app/src/{relative}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "take the time from the Clock port and ids from the IdGenerator port:\n{}",
        found.join("\n")
    );
}
