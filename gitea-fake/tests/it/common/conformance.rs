//! Validates the fake's JSON against Gitea's swagger, read at test time.
//!
//! Swagger 2.0 has no `null`; Gitea (Go) encodes nil pointers and nil slices as `null`.
//! The conversion to JSON Schema therefore makes `$ref` and array properties nullable, plus
//! the Go pointer scalars listed in `POINTER_SCALARS`, honours `x-nullable`, and closes
//! every object (`additionalProperties: false`) so a misspelt field fails.
//! The swagger's error responses declare `message`/`url` as headers (a quirk), so error
//! bodies are validated against a hand model instead.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use serde_json::{Map, Value, json};

/// Go pointer scalars (encoded as `null` when nil), by definition.
const POINTER_SCALARS: &[(&str, &[&str])] = &[
    (
        "ContentsResponse",
        &[
            "encoding",
            "content",
            "target",
            "url",
            "html_url",
            "git_url",
            "download_url",
            "submodule_git_url",
            "lfs_oid",
            "lfs_size",
        ],
    ),
    (
        "PullRequest",
        &["merged_at", "merge_commit_sha", "closed_at", "due_date"],
    ),
];

/// Error responses of the swagger that really have a `{"message","url"}` body.
const ERROR_RESPONSES: &[&str] = &[
    "error",
    "forbidden",
    "validationError",
    "repoArchivedError",
    "notFound",
    "conflict",
    "empty",
];

/// The spec, or None when absent (which fails under `CI=true`).
pub fn spec() -> Option<&'static Value> {
    static SPEC: OnceLock<Option<Value>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = std::env::var_os("GITEA_SWAGGER").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/gitea/swagger.v1.json"),
            PathBuf::from,
        );
        match std::fs::read(&path) {
            Ok(bytes) => Some(serde_json::from_slice(&bytes).expect("swagger is JSON")),
            Err(e) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!(
                        "CI=true and the swagger is missing at {}: {e}",
                        path.display()
                    );
                }
                eprintln!(
                    "conformance: skipped, no swagger at {} ({e}); set GITEA_SWAGGER",
                    path.display()
                );
                None
            }
        }
    })
    .as_ref()
}

/// Converts one swagger schema (recursively) to JSON Schema draft 7.
fn convert(schema: &Value, pointers: &[&str]) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (k, v) in obj {
        if k.starts_with("x-") {
            continue;
        }
        match k.as_str() {
            "properties" => {
                let mut props = Map::new();
                for (name, p) in v.as_object().into_iter().flatten() {
                    let nullable = pointers.contains(&name.as_str())
                        || p.get("x-nullable") == Some(&Value::Bool(true))
                        || p.get("$ref").is_some()
                        || p.get("type") == Some(&json!("array"));
                    let c = convert(p, &[]);
                    props.insert(name.clone(), if nullable { nullable_of(c) } else { c });
                }
                out.insert(k.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" => {
                out.insert(k.clone(), convert(v, &[]));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    if out.contains_key("properties") && !out.contains_key("additionalProperties") {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

/// `schema` or null.
fn nullable_of(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// The hand model of Gitea's error bodies.
fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["message", "url"],
        "properties": {
            "message": {"type": "string"},
            "url": {"type": "string"},
            "errors": {"type": ["array", "null"], "items": {"type": "string"}},
        },
        "additionalProperties": false,
    })
}

/// All definitions, converted.
fn definitions(spec: &Value) -> Value {
    let mut defs = Map::new();
    for (name, d) in spec["definitions"].as_object().into_iter().flatten() {
        let pointers = POINTER_SCALARS
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[][..], |(_, p)| *p);
        let mut c = convert(d, pointers);
        if name == "FilesResponse" {
            // `files` is a slice of pointers: a deleted file's entry is `null`.
            if let Some(items) = c.pointer_mut("/properties/files/anyOf/0/items") {
                *items = nullable_of(items.clone());
            }
        }
        defs.insert(name.clone(), c);
    }
    Value::Object(defs)
}

/// The schema for an answer of `operation` (swagger path + method) with `status`.
/// Error statuses (declared as error responses or not declared at all) use the error model;
/// an undeclared success status is an error.
fn schema_for(spec: &Value, path: &str, method: &str, status: u16) -> Result<Value, String> {
    let op = &spec["paths"][path][method.to_lowercase()];
    if op.is_null() {
        return Err(format!("{method} {path} is not in the swagger"));
    }
    let resp = &op["responses"][status.to_string()];
    let resolved = match resp.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/responses/");
            if ERROR_RESPONSES.contains(&name) {
                return Ok(error_schema());
            }
            spec["responses"][name].clone()
        }
        None => resp.clone(),
    };
    if status >= 400 {
        return Ok(error_schema());
    }
    if resolved.is_null() {
        return Err(format!("{method} {path} does not declare status {status}"));
    }
    let mut schema = convert(&resolved["schema"], &[]);
    if path == "/repos/{owner}/{repo}/contents/{filepath}" && method == "GET" {
        // A directory answers with an array of entries; the spec declares only the object.
        schema = json!({"anyOf": [schema, {"type": "array", "items": schema}]});
    }
    if path == "/repos/{owner}/{repo}/file-contents" {
        // Gitea's batch read puts `null` where a file is missing; the spec cannot say so.
        if let Some(items) = schema.get_mut("items") {
            *items = nullable_of(items.clone());
        }
    }
    let mut root = schema.as_object().cloned().unwrap_or_default();
    root.insert("definitions".into(), definitions(spec));
    Ok(Value::Object(root))
}

/// Whether the swagger declares `status` for `operation` (for answers without a body).
pub fn declares(path: &str, method: &str, status: u16) -> Result<(), String> {
    let Some(spec) = spec() else {
        return Ok(());
    };
    let op = &spec["paths"][path][method.to_lowercase()];
    if op["responses"][status.to_string()].is_null() {
        return Err(format!("{method} {path} does not declare status {status}"));
    }
    Ok(())
}

/// Checks `body` against the swagger; returns a description of the mismatch.
pub fn check(path: &str, method: &str, status: u16, body: &Value) -> Result<(), String> {
    let Some(spec) = spec() else {
        return Ok(());
    };
    type Cache = Mutex<HashMap<(String, String, u16), Result<jsonschema::Validator, String>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    let key = (path.to_owned(), method.to_owned(), status);
    let validator = cache.entry(key).or_insert_with(|| {
        let schema = schema_for(spec, path, method, status)?;
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| format!("schema for {method} {path} {status}: {e}"))
    });
    let validator = validator.as_ref().map_err(Clone::clone)?;
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| {
            let text = e.to_string();
            let short: String = text
                .chars()
                .rev()
                .take(160)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("…{short} at {}", e.instance_path())
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{method} {path} {status}: {}", errors.join("; ")))
    }
}

/// The served route template (relative to `/api/v1`) that `path` falls under.
pub fn template_for(method: &str, path: &str) -> Option<&'static str> {
    let rel = path.strip_prefix("/api/v1")?;
    let segs: Vec<&str> = rel.trim_matches('/').split('/').collect();
    let mut best: Option<(&'static str, (bool, usize, usize))> = None;
    for (m, t) in gitea_fake::served_routes() {
        if m != method {
            continue;
        }
        let tsegs: Vec<&str> = t.trim_matches('/').split('/').collect();
        let exact = tsegs.len() == segs.len();
        let greedy = tsegs.len() < segs.len() && tsegs.last().is_some_and(|l| l.starts_with('{'));
        if !exact && !greedy {
            continue;
        }
        let prefix_ok = tsegs
            .iter()
            .zip(&segs)
            .all(|(t, s)| t.starts_with('{') || t == s);
        if !prefix_ok {
            continue;
        }
        let literals = tsegs.iter().filter(|t| !t.starts_with('{')).count();
        let rank = (exact, literals, tsegs.len());
        if best.is_none_or(|(_, b)| rank > b) {
            best = Some((t, rank));
        }
    }
    best.map(|(t, _)| t)
}
