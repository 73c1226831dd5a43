//! One logical line as pip reads it: a requirement (PEP 508 name, extras, version specifiers or a
//! URL, marker) with its per-requirement options (`--hash`), or a line of options only (`-r`,
//! `-c`, `-e`, `--index-url`...). Every version token keeps its position in the line.

use std::ops::Range;

use super::{logical::is_py_space, normalize_name};

/// What one logical line is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Entry {
    /// A requirement.
    Requirement(Requirement),
    /// Options only.
    Options {
        /// The project an `-e`/`--editable` line names with `#egg=`.
        editable: Option<String>,
        /// Files pulled in with `-r` or `-c`.
        includes: Vec<String>,
    },
}

/// A requirement line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Requirement {
    /// The name as written; for a bare URL or path, the project its `#egg=` or file name gives.
    pub(super) name: Option<String>,
    /// The requirement as pip reads it, options left out.
    pub(super) text: String,
    /// What it asks for.
    pub(super) form: Form,
    /// It carries `--hash` options.
    pub(super) hashed: bool,
}

/// What a requirement asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// Version specifiers, possibly none (a bare name).
    Specifiers(Vec<Clause>),
    /// A direct reference: `name @ url`, a URL, or a path.
    Url,
    /// Not a valid requirement; says why.
    Invalid(String),
}

/// One version clause such as `== 1.4.2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Clause {
    /// The operator as written.
    pub(super) operator: Operator,
    /// The version as written.
    pub(super) version: String,
    /// Where the whole clause is in the logical line's text.
    pub(super) range: Range<usize>,
    /// Where the version is in the logical line's text.
    pub(super) version_range: Range<usize>,
    /// The parsed clause; `None` for `===`, whose version is an arbitrary string.
    pub(super) parsed: Option<pep440_rs::VersionSpecifier>,
}

/// A PEP 440 comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Operator {
    /// `===`
    Arbitrary,
    /// `==`, also with a `.*` version.
    Equal,
    /// Every other operator.
    Other,
}

const OPERATORS: [&str; 8] = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];

/// Reads one logical line.
pub(super) fn parse_line(line: &str) -> Entry {
    let (args, options) = split_args_options(line);
    let options = Options::parse(options);
    if args.trim().is_empty() {
        return Entry::Options {
            editable: options.editable.as_deref().and_then(egg_name),
            includes: options.includes,
        };
    }
    let (name, form) = parse_requirement(args);
    Entry::Requirement(Requirement {
        name,
        text: args.trim_end_matches(is_py_space).to_owned(),
        form,
        hashed: options.hashed,
    })
}

/// pip's `break_args_options`: the line splits at single spaces, and the first word that starts
/// with `-` begins the options. Returns both parts, the first as a prefix of `line`.
fn split_args_options(line: &str) -> (&str, &str) {
    let mut end = 0;
    for word in line.split(' ') {
        if word.starts_with('-') {
            return (&line[..end.min(line.len())], &line[end..]);
        }
        end += word.len() + 1;
    }
    (line, "")
}

/// The options pip would hand to optparse, as far as the bump cares.
#[derive(Default)]
struct Options {
    hashed: bool,
    editable: Option<String>,
    includes: Vec<String>,
}

impl Options {
    fn parse(text: &str) -> Options {
        let mut options = Options::default();
        let mut words = text.split(is_py_space).filter(|w| !w.is_empty());
        while let Some(word) = words.next() {
            let Some((flag, inline)) = flag_of(word) else {
                continue;
            };
            let takes_value = matches!(flag, Flag::Hash | Flag::Editable | Flag::Include);
            let value = match inline {
                Some(value) => Some(value.to_owned()),
                None if takes_value => words.next().map(str::to_owned),
                None => None,
            };
            match (flag, value) {
                (Flag::Hash, _) => options.hashed = true,
                (Flag::Editable, value) => options.editable = value,
                (Flag::Include, Some(file)) => options.includes.push(file),
                _ => {}
            }
        }
        options
    }
}

/// The options that matter here, long (`--hash=V`, `--hash V`) or short (`-eV`, `-e V`).
#[derive(Clone, Copy)]
enum Flag {
    Hash,
    Editable,
    Include,
}

fn flag_of(word: &str) -> Option<(Flag, Option<&str>)> {
    if let Some(long) = word.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (long, None),
        };
        let flag = match name {
            "hash" => Flag::Hash,
            "editable" => Flag::Editable,
            "requirement" | "constraint" => Flag::Include,
            _ => return None,
        };
        return Some((flag, inline));
    }
    let short = word.strip_prefix('-')?;
    let flag = match short.chars().next()? {
        'e' => Flag::Editable,
        'r' | 'c' => Flag::Include,
        _ => return None,
    };
    let glued = &short[1..];
    Some((flag, (!glued.is_empty()).then_some(glued)))
}

/// Parses `args` as a PEP 508 requirement (or a URL or path, as pip accepts).
fn parse_requirement(args: &str) -> (Option<String>, Form) {
    let name_len = args
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(args.len());
    let name = &args[..name_len];
    let mut cursor = name_len + leading_space(&args[name_len..]);
    let extras_end = if args[cursor..].starts_with('[') {
        args[cursor..].find(']').map(|i| cursor + i + 1)
    } else {
        Some(cursor)
    };
    if let Some(end) = extras_end {
        let after = end + leading_space(&args[end..]);
        if args[after..].starts_with('@') && !name.is_empty() {
            return (Some(name.to_owned()), Form::Url);
        }
    }
    if looks_like_url_or_path(args) {
        return (project_of_url(args), Form::Url);
    }
    if name.is_empty() {
        return (
            None,
            Form::Invalid("it does not start with a name".to_owned()),
        );
    }
    let name_owned = Some(name.to_owned());
    if !valid_name(name) {
        let why = "a name starts and ends with a letter or digit".to_owned();
        return (name_owned, Form::Invalid(why));
    }
    let Some(end) = extras_end else {
        return (
            name_owned,
            Form::Invalid("its extras lack a closing `]`".to_owned()),
        );
    };
    cursor = end;
    let spec_end = args[cursor..].find(';').map_or(args.len(), |i| cursor + i);
    match parse_specifiers(args, cursor..spec_end) {
        Ok(clauses) => (name_owned, Form::Specifiers(clauses)),
        Err(why) => (name_owned, Form::Invalid(why)),
    }
}

/// The clauses of `args[range]`: comma-separated, optionally in parentheses.
fn parse_specifiers(args: &str, range: Range<usize>) -> Result<Vec<Clause>, String> {
    let (mut start, mut end) = trimmed(args, range);
    if start == end {
        return Ok(Vec::new());
    }
    if args[start..end].starts_with('(') {
        if !args[start..end].ends_with(')') {
            return Err("its `(` is not closed".to_owned());
        }
        (start, end) = trimmed(args, start + 1..end - 1);
    }
    let mut clauses = Vec::new();
    let mut clause_start = start;
    for piece in args[start..end].split(',') {
        let range = clause_start..clause_start + piece.len();
        clause_start = range.end + 1;
        clauses.push(parse_clause(args, range)?);
    }
    Ok(clauses)
}

fn parse_clause(args: &str, range: Range<usize>) -> Result<Clause, String> {
    let (start, end) = trimmed(args, range);
    let text = &args[start..end];
    if text.is_empty() {
        return Err("it has an empty version clause".to_owned());
    }
    let Some(op) = OPERATORS.iter().find(|op| text.starts_with(**op)) else {
        return Err(format!("`{text}` has no comparison operator"));
    };
    let (version_start, version_end) = trimmed(args, start + op.len()..end);
    let version = &args[version_start..version_end];
    if version.is_empty() {
        return Err(format!("no version after `{op}`"));
    }
    if version.contains("${") {
        return Err(format!(
            "its version `{version}` is an environment variable, expanded only when pip runs"
        ));
    }
    let operator = match *op {
        "===" => Operator::Arbitrary,
        "==" => Operator::Equal,
        _ => Operator::Other,
    };
    let parsed = if operator == Operator::Arbitrary {
        if version.contains(|c: char| is_py_space(c) || matches!(c, ';' | '(' | ')')) {
            return Err(format!("`{text}` is not a version clause"));
        }
        None
    } else {
        let parsed = text
            .parse::<pep440_rs::VersionSpecifier>()
            .map_err(|_| format!("`{text}` is not a PEP 440 version clause"))?;
        Some(parsed)
    };
    Ok(Clause {
        operator,
        version: version.to_owned(),
        range: start..end,
        version_range: version_start..version_end,
        parsed,
    })
}

/// PEP 508 names: letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
fn valid_name(name: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    alnum(name.chars().next()) && alnum(name.chars().last())
}

/// A URL or a path, as pip tells them from a requirement: a path separator (which every
/// `scheme://`, `./`, `../` and `~/` has) or a `file:` URL, before any space or marker.
fn looks_like_url_or_path(args: &str) -> bool {
    let first = args.split([' ', ';']).next().unwrap_or_default();
    first.contains(['/', '\\']) || first.starts_with("file:")
}

/// The project a URL or path names: its `#egg=` fragment, or its wheel or sdist file name.
fn project_of_url(args: &str) -> Option<String> {
    let first = args.split([' ', ';']).next().unwrap_or_default();
    if let Some(egg) = egg_name(first) {
        return Some(egg);
    }
    let path = first.split(['#', '?']).next().unwrap_or_default();
    let file = path.rsplit(['/', '\\', ':']).next().unwrap_or_default();
    if let Some(stem) = file.strip_suffix(".whl") {
        return stem.split('-').next().map(str::to_owned);
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    let version_at = stem
        .match_indices('-')
        .find(|(i, _)| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))?
        .0;
    Some(stem[..version_at].to_owned())
}

/// The `egg=` name in a URL's fragment, normalised.
fn egg_name(url: &str) -> Option<String> {
    let fragment = url.split_once('#')?.1;
    let egg = fragment
        .split('&')
        .find_map(|part| part.strip_prefix("egg="))?;
    let egg = egg.split('[').next().unwrap_or_default();
    (!egg.is_empty()).then(|| normalize_name(egg))
}

fn leading_space(text: &str) -> usize {
    text.len() - text.trim_start_matches(is_py_space).len()
}

fn trimmed(text: &str, range: Range<usize>) -> (usize, usize) {
    let piece = &text[range.clone()];
    let start = range.start + leading_space(piece);
    let end = range.start + piece.trim_end_matches(is_py_space).len();
    (start, end.max(start))
}
