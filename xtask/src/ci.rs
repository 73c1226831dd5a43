//! `cargo xtask ci`: the whole quality gate, the same locally and in CI.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use anyhow::Context as _;
use xshell::{Shell, cmd};

/// The published crate, whose every feature combination must build on its declared MSRV.
const PUBLISHED: &str = "retry-policy";

pub(crate) fn run() -> anyhow::Result<ExitCode> {
    let sh = Shell::new()?;
    sh.change_dir(crate::project_root());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());

    cmd!(sh, "{cargo} fmt --all -- --check").run()?;
    cmd!(
        sh,
        "{cargo} clippy --workspace --all-targets --all-features --locked -- -D warnings"
    )
    .run()?;
    check_feature_combinations(&sh, &cargo)?;
    check_package_contents(&sh, &cargo)?;
    // The API docs as docs.rs builds them: a broken or ambiguous link fails here, not there.
    cmd!(
        sh,
        "{cargo} doc --workspace --all-features --no-deps --locked --quiet"
    )
    .env("RUSTDOCFLAGS", "-D warnings")
    .run()?;
    cmd!(sh, "{cargo} test --workspace --all-features --locked").run()?;
    Ok(ExitCode::SUCCESS)
}

/// Clippy on the published crate once per distinct combination of its features (a check, not
/// a test run, so it stays quick), with `incompatible_msrv` denied: no combination may use a
/// standard-library API newer than the crate's `rust-version`.
fn check_feature_combinations(sh: &Shell, cargo: &str) -> anyhow::Result<()> {
    let metadata = cmd!(sh, "{cargo} metadata --format-version 1 --no-deps --locked")
        .quiet()
        .read()?;
    let features = package_features(&metadata, PUBLISHED)?;
    for combination in feature_combinations(&features) {
        let list = combination.join(",");
        eprintln!("{PUBLISHED}: features [{list}]");
        cmd!(
            sh,
            "{cargo} clippy -p {PUBLISHED} --no-default-features --features={list} --all-targets --locked --quiet -- -D warnings -D clippy::incompatible_msrv"
        )
        .run()?;
    }
    Ok(())
}

/// What crates.io must receive beside the sources of the published crate.
const PACKAGED: [&str; 4] = ["README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"];

/// `cargo package --list` (well under a second: nothing is built) must name every file of
/// [`PACKAGED`]; the crate's `include` decides, and a file left out of it is silently dropped.
fn check_package_contents(sh: &Shell, cargo: &str) -> anyhow::Result<()> {
    let listed = cmd!(
        sh,
        "{cargo} package -p {PUBLISHED} --list --allow-dirty --locked"
    )
    .quiet()
    .read()?;
    let missing = missing_from_package(&listed);
    anyhow::ensure!(
        missing.is_empty(),
        "cargo package -p {PUBLISHED} leaves out {}: add it to `include` in {PUBLISHED}/Cargo.toml",
        missing.join(", ")
    );
    Ok(())
}

/// The files of [`PACKAGED`] that a `cargo package --list` output does not name.
fn missing_from_package(listed: &str) -> Vec<&'static str> {
    PACKAGED
        .into_iter()
        .filter(|file| !listed.lines().any(|line| line.trim() == *file))
        .collect()
}

/// A package's `[features]` table from `cargo metadata` output.
fn package_features(
    metadata: &str,
    package: &str,
) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let metadata: serde_json::Value = serde_json::from_str(metadata)?;
    let found = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == package))
        .with_context(|| format!("cargo metadata lists no package {package}"))?;
    let features = serde_json::from_value(found["features"].clone())?;
    Ok(features)
}

/// Every distinct set of features that some choice of features enables, `default` aside: the
/// choices are all subsets, and two choices that enable the same features are one combination.
fn feature_combinations(features: &BTreeMap<String, Vec<String>>) -> Vec<Vec<String>> {
    let names: Vec<&String> = features.keys().filter(|name| *name != "default").collect();
    let mut seen = BTreeSet::new();
    for choice in 0u32..(1 << names.len()) {
        let mut enabled = BTreeSet::new();
        let mut todo: Vec<&str> = (0..names.len())
            .filter(|bit| choice & (1 << bit) != 0)
            .map(|bit| names[bit].as_str())
            .collect();
        while let Some(feature) = todo.pop() {
            if enabled.insert(feature.to_owned()) {
                // Entries naming other features (not `dep:x`, nor `x/feature` of a dependency).
                let implied = features.get(feature).into_iter().flatten();
                todo.extend(
                    implied
                        .filter(|entry| features.contains_key(entry.as_str()))
                        .map(String::as_str),
                );
            }
        }
        seen.insert(enabled.into_iter().collect::<Vec<_>>());
    }
    seen.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        entries
            .iter()
            .map(|(name, implied)| {
                let implied = implied.iter().map(|s| (*s).to_owned()).collect();
                ((*name).to_owned(), implied)
            })
            .collect()
    }

    #[test]
    fn combinations_follow_implied_features_and_drop_duplicates() {
        let features = table(&[
            ("default", &["a", "b"]),
            ("a", &["dep:x"]),
            ("b", &["a", "dep:y", "y/extra"]),
            ("c", &[]),
        ]);
        let combinations = feature_combinations(&features);
        let as_text: Vec<String> = combinations.iter().map(|c| c.join(",")).collect();
        // b brings a, so {b} and {a,b} are one combination, as are {b,c} and {a,b,c}.
        assert_eq!(as_text, ["", "a", "a,b", "a,b,c", "a,c", "c"]);
    }

    #[test]
    fn the_published_crates_features_are_read_from_cargo_metadata() {
        let metadata = r#"{"packages":[
            {"name":"other","features":{"z":[]}},
            {"name":"retry-policy","features":{"default":["tokio"],"tokio":["dep:tokio"]}}
        ]}"#;
        let features = package_features(metadata, PUBLISHED).unwrap();
        assert_eq!(
            features,
            table(&[("default", &["tokio"]), ("tokio", &["dep:tokio"])])
        );
        assert!(package_features(metadata, "missing").is_err());
    }

    #[test]
    fn a_package_list_without_a_licence_file_is_caught() {
        let complete =
            "Cargo.toml\nCHANGELOG.md\nLICENSE-APACHE\nLICENSE-MIT\nREADME.md\nsrc/lib.rs\n";
        assert!(missing_from_package(complete).is_empty());
        let without = "Cargo.toml\nCHANGELOG.md\nLICENSE-MIT\nREADME.md\nsrc/lib.rs\n";
        assert_eq!(missing_from_package(without), ["LICENSE-APACHE"]);
        // A file of that name in a subdirectory does not count.
        assert_eq!(
            missing_from_package("examples/README.md\n"),
            PACKAGED.to_vec()
        );
    }
}
