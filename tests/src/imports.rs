//! No import loops: no two modules of `domain`, `adapters` or `app` import each other (a
//! `use super::x` or `crate::a::b` path each way), a module and its own submodules excepted
//! (a parent declaring `mod child` and the child using `super::` is the normal shape). A
//! helper two modules share lives in a module of its own. Test modules are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Loops known and not yet removed: none.
const PENDING: [(&str, &str, &str); 0] = [];

type Module = Vec<String>;

/// Every module of a crate's `src`, by its path, with its file.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(src).unwrap().with_extension("");
                let mut module: Module = relative
                    .iter()
                    .map(|s| s.to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    module.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    module.pop();
                }
                out.insert(module, path);
            }
        }
    }
    out
}

/// The paths after each `crate::` and `super::` in `text`, with the first segment of each
/// member of a `{…}` group appended as a path of its own.
fn paths(text: &str) -> Vec<Vec<&str>> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    for (start, _) in text.match_indices("::") {
        let head_start = text[..start].rfind(|c| !ident(c)).map_or(0, |i| i + 1);
        let head = &text[head_start..start];
        if head != "crate" && head != "super" {
            continue;
        }
        if head_start > 0 && text[..head_start].ends_with("::") {
            continue; // the middle of a path already read (`super::super::x`)
        }
        let mut segments = vec![head];
        let mut rest = &text[start + 2..];
        loop {
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let mut member_start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 || (depth == 1 && c == ',') {
                        let member = group[member_start..i].trim();
                        let first = member.split(|c| !ident(c)).next().unwrap_or("");
                        if !first.is_empty() && first != "self" {
                            let mut path = segments.clone();
                            path.push(first);
                            out.push(path);
                        }
                        member_start = i + 1;
                    }
                    if depth == 0 {
                        break;
                    }
                }
                break;
            }
            let end = rest.find(|c| !ident(c)).unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            segments.push(&rest[..end]);
            rest = &rest[end..];
            match rest.strip_prefix("::") {
                Some(after) => rest = after,
                None => break,
            }
        }
        out.push(segments);
    }
    out
}

/// Which modules each module of the crate at `src` imports from.
fn imports(src: &Path) -> BTreeSet<(Module, Module)> {
    let modules = modules(src);
    let mut edges = BTreeSet::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or("");
        for path in paths(code) {
            let mut base: Module = if path[0] == "crate" {
                Vec::new()
            } else {
                // `super` of module `a::b` (`a/b.rs` or `a/b/mod.rs`) is `a`.
                module[..module.len().saturating_sub(1)].to_vec()
            };
            let mut rest = &path[1..];
            while rest.first() == Some(&"super") {
                base.pop();
                rest = &rest[1..];
            }
            base.extend(rest.iter().map(|s| (*s).to_owned()));
            let target = (0..=base.len())
                .rev()
                .map(|n| base[..n].to_vec())
                .find(|m| modules.contains_key(m));
            if let Some(target) = target
                && target != *module
            {
                edges.insert((module.clone(), target));
            }
        }
    }
    edges
}

#[test]
fn no_two_modules_import_each_other() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut loops = Vec::new();
    for krate in ["domain", "adapters", "app"] {
        let edges = imports(&root.join(krate).join("src"));
        for (a, b) in &edges {
            let nested = a.starts_with(b) || b.starts_with(a);
            if a < b && !nested && edges.contains(&(b.clone(), a.clone())) {
                let pair = (a.join("::"), b.join("::"));
                if !PENDING.contains(&(krate, pair.0.as_str(), pair.1.as_str())) {
                    loops.push(format!("{krate}: {} <-> {}", pair.0, pair.1));
                }
            }
        }
    }
    assert!(
        loops.is_empty(),
        "modules importing each other (move what they share into a module of its own):\n{}",
        loops.join("\n")
    );
}

#[test]
fn paths_are_read_from_use_groups_and_from_code() {
    assert_eq!(
        paths("use super::{a::{b, c}, d};\nlet x = crate::e::f(super::super::g);"),
        [
            vec!["super", "a"],
            vec!["super", "d"],
            vec!["super"],
            vec!["crate", "e", "f"],
            vec!["super", "super", "g"],
        ]
    );
}

#[test]
fn two_files_importing_each_other_are_a_loop_and_a_parent_and_child_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "mod a;\nmod b;\n");
    write("a/mod.rs", "mod c;\nuse super::b::f;\n");
    write("a/c.rs", "use super::g;\n");
    write("b.rs", "pub fn f() { crate::a::g(); }\n");
    let edges = imports(dir.path());
    let edge = |x: &str, y: &str| (vec![x.to_owned()], vec![y.to_owned()]);
    assert!(edges.contains(&edge("a", "b")) && edges.contains(&edge("b", "a")));
    assert!(edges.contains(&(vec!["a".to_owned(), "c".to_owned()], vec!["a".to_owned()])));
}
