//! docs/security.md names the test behind each promise; each one must exist.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file of the workspace's crates, as text.
fn sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && !name.to_string_lossy().starts_with('.') {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn every_test_the_security_page_names_exists() {
    let page = std::fs::read_to_string(workspace().join("docs/security.md")).unwrap();
    let mut code = Vec::new();
    sources(&workspace(), &mut code);
    let named: Vec<&str> = page
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.matches('_').count() >= 3)
        .filter(|s| {
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
        .collect();
    assert!(named.len() > 20, "{named:?}");
    for test in named {
        let defined = format!("fn {test}(");
        assert!(
            code.iter().any(|file| file.contains(&defined)),
            "docs/security.md names {test}, which no test defines"
        );
    }
}
