//! The runtime's pins in `requirements.txt`, read as pip reads them, and the `runtime-version`
//! file.
//!
//! [`decide`] reads the file as pip does (continuations, comments, options, hashes, markers,
//! extras, `===`; see the private modules `logical` and `parse`) and decides, line by line, what bumping the
//! consumer from its current version to the new one does. Only pins equal to the current version
//! under PEP 440 (`==1.4` pins `1.4.0`) are rewritten, in every line that has one, and only their
//! version token changes: extras, markers, comments, spacing, CRLF or LF and a missing final
//! newline survive byte for byte. A line that would need more (a hashed pin, a specifier that
//! excludes the new version, a URL, a line pip cannot read) refuses the whole file.
//!
//! [`check_bump`] is the half-bump invariant on the exact bytes to commit. [`decide`] returns a
//! rewrite only when it passes, and the applier runs it again just before the commit.

mod logical;
mod parse;

use std::ops::Range;

use crate::version::RuntimeVersion;
use logical::{LogicalLine, logical_lines};
use parse::{Clause, Entry, Form, Operator, Requirement, parse_line};

/// Requirements files larger than this are refused rather than read.
pub const MAX_REQUIREMENTS_BYTES: usize = 1024 * 1024;

/// One bump of one requirements file: from the consumer's current version to the new one.
#[derive(Clone, Copy, Debug)]
pub struct Bump<'a> {
    /// The file's path, for messages.
    pub file: &'a str,
    /// The runtime's package name.
    pub package: &'a str,
    /// The version the consumer's `runtime-version` holds.
    pub current: &'a RuntimeVersion,
    /// The version being propagated.
    pub new: &'a RuntimeVersion,
}

/// What bumping one requirements file does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Write `content`; `lines` says what changed and what was left alone, line by line.
    Rewrite {
        /// The new file.
        content: Vec<u8>,
        /// Every line that names the package.
        lines: Vec<LineReport>,
    },
    /// Leave the file as it is: no line pins the current version.
    Keep {
        /// Every line that names the package, and why it was left alone.
        lines: Vec<LineReport>,
        /// Files pulled in with `-r` or `-c`; they are not read.
        includes: Vec<String>,
    },
    /// The file cannot be bumped consistently, so nothing may be written.
    Refuse(Refusal),
}

/// One line that names the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineReport {
    /// The 1-based number of its first physical line.
    pub line: usize,
    /// The requirement as pip reads it (options such as `--hash` left out).
    pub requirement: String,
    /// What the bump does to it.
    pub change: LineChange,
}

/// What the bump does to one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineChange {
    /// Its version token goes from one version to the other.
    Bumped {
        /// The version as it was written.
        from: String,
        /// The new version.
        to: String,
    },
    /// Left as it is; says why.
    LeftAlone(String),
}

/// Why a requirements file cannot be bumped: one line that says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Refusal {
    /// What kind of problem.
    pub kind: RefusalKind,
    /// The line it is on, when it is on one.
    pub line: Option<usize>,
    reason: String,
}

impl Refusal {
    /// The one-line reason, naming the file, the line and what to do.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The kinds of [`Refusal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalKind {
    /// A pin of the current version carries hashes (`--hash`, or peep's `# sha256:` comments).
    Hashed,
    /// A specifier admits the current version but not the new one (`~=1.4.0`, `<1.5`, `==1.4.*`).
    Excludes,
    /// The package comes from a URL or a path, whose version cannot be read.
    DirectUrl,
    /// A line that names the package is not a requirement pip can read.
    Invalid,
    /// A version token is split across a `\` continuation.
    SplitVersion,
    /// The file is not UTF-8.
    NotUtf8,
    /// The file is over [`MAX_REQUIREMENTS_BYTES`].
    TooLarge,
    /// A version is not a PEP 440 version.
    NotPep440,
    /// The bytes to commit are not exactly the planned bump (a bug).
    Inconsistent,
}

/// Decides what bumping `content` does; see the module docs.
///
/// ```
/// use cascade::{requirements::{Bump, Decision, decide}, version::RuntimeVersion};
///
/// let (current, new) = (RuntimeVersion::parse("1.4.2")?, RuntimeVersion::parse("1.5.0")?);
/// let bump = Bump { file: "requirements.txt", package: "platform-runtime", current: &current, new: &new };
/// let Decision::Rewrite { content, .. } = decide(b"Platform_Runtime[fast] == 1.4.2  # pinned\r\n", &bump) else {
///     panic!("a plain pin is rewritten");
/// };
/// assert_eq!(content, b"Platform_Runtime[fast] == 1.5.0  # pinned\r\n");
///
/// let hashed = b"platform-runtime==1.4.2 \\\n    --hash=sha256:0123\n";
/// let Decision::Refuse(refusal) = decide(hashed, &bump) else { panic!("hashes are refused") };
/// assert_eq!(
///     refusal.reason(),
///     "hashed pin in requirements.txt line 1: regenerate the lock with platform-runtime 1.5.0"
/// );
/// # Ok::<(), cascade::version::VersionError>(())
/// ```
pub fn decide(content: &[u8], bump: &Bump<'_>) -> Decision {
    let scan = match Scan::of(content, bump) {
        Ok(scan) => scan,
        Err(refusal) => return Decision::Refuse(refusal),
    };
    if let Some(refusal) = scan.first_refusal(bump) {
        return Decision::Refuse(refusal);
    }
    let lines = scan.reports(bump);
    if !scan.has_bumps() {
        return Decision::Keep {
            lines,
            includes: scan.includes,
        };
    }
    let content = scan.splice(content, bump);
    match check_bump(&scan.original, &content, bump) {
        Ok(()) => Decision::Rewrite { content, lines },
        Err(refusal) => Decision::Refuse(refusal),
    }
}

/// The half-bump invariant, on the requirements file as it was (`before`) and as the commit
/// would leave it (`after`, the same bytes when the commit does not touch it).
///
/// It holds when `after` is `before` with exactly the pins of the current version rewritten to
/// the new one, nothing else changed, and nothing in `after` still pins the current version,
/// excludes the new one, or is refused.
///
/// # Errors
///
/// A [`Refusal`] saying what would be half-bumped and what to do.
pub fn check_bump(before: &[u8], after: &[u8], bump: &Bump<'_>) -> Result<(), Refusal> {
    let planned = Scan::of(before, bump)?;
    if let Some(refusal) = planned.first_refusal(bump) {
        return Err(refusal);
    }
    let inconsistent = |what: String| Refusal {
        kind: RefusalKind::Inconsistent,
        line: None,
        reason: format!(
            "the {} to commit {what}; nothing written (a bug: please report it)",
            bump.file
        ),
    };
    if planned.splice(before, bump) != after {
        return Err(inconsistent(format!(
            "is not exactly its pins of {} bumped to {}",
            bump.current, bump.new
        )));
    }
    let committed = Scan::of(after, bump)?;
    if let Some(left) = committed
        .lines
        .iter()
        .find(|l| !matches!(l.verdict, Verdict::Keep(_)))
    {
        return Err(inconsistent(format!(
            "still needs a bump at line {}",
            left.line
        )));
    }
    Ok(())
}

/// One line for a report: what changed in `file` and what was left alone, line by line.
pub fn summarize(file: &str, lines: &[LineReport]) -> Option<String> {
    let parts: Vec<String> = lines
        .iter()
        .map(|report| match &report.change {
            LineChange::Bumped { from, to } => format!("line {}: {from} -> {to}", report.line),
            LineChange::LeftAlone(why) => format!("line {}: left alone, {why}", report.line),
        })
        .collect();
    (!parts.is_empty()).then(|| format!("{file} {}", parts.join("; ")))
}

/// Markdown list items for a pull request body, one per line that names the package.
pub fn markdown(file: &str, lines: &[LineReport]) -> Vec<String> {
    lines
        .iter()
        .map(|report| {
            let requirement = report.requirement.replace('`', "'");
            match &report.change {
                LineChange::Bumped { from, to } => format!(
                    "`{file}` line {}: `{requirement}`, {from} -> {to}",
                    report.line
                ),
                LineChange::LeftAlone(why) => format!(
                    "`{file}` line {}, left alone: `{requirement}`; {why}",
                    report.line
                ),
            }
        })
        .collect()
}

/// The new `runtime-version` content: the version with the old file's line ending (CRLF, LF, or
/// none).
pub fn rewrite_version_file(old: &[u8], new_version: &str) -> Vec<u8> {
    let ending: &[u8] = if old.ends_with(b"\r\n") {
        b"\r\n"
    } else if old.ends_with(b"\n") {
        b"\n"
    } else {
        b""
    };
    let mut out = new_version.as_bytes().to_vec();
    out.extend_from_slice(ending);
    out
}

/// PEP 503 normalisation: lower case, and runs of `-`, `_` and `.` become one `-`.
///
/// Separators at either end, which no valid name has, are dropped, so that a mistyped
/// `_platform-runtime` still counts as the package (and is refused as invalid, not ignored).
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            in_separator = true;
            continue;
        }
        if in_separator && !out.is_empty() {
            out.push('-');
        }
        in_separator = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// The files `content` pulls in with `-r` or `-c`, as written, in order. None when it is not
/// UTF-8: [`decide`] refuses such a file before any include could matter.
///
/// ```
/// use cascade::requirements::includes;
///
/// let content = b"-r base.txt\n--constraint=pins.txt\nflask==3.0.3 # -r not-an-include.txt\n";
/// assert_eq!(includes(content), ["base.txt", "pins.txt"]);
/// ```
pub fn includes(content: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(content) else {
        return Vec::new();
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    logical_lines(text)
        .into_iter()
        .flat_map(|line| match parse_line(&line.text) {
            Entry::Options { includes, .. } => includes,
            Entry::Requirement(_) => Vec::new(),
        })
        .collect()
}

/// The file read once: every line that names the package, with its verdict.
struct Scan {
    /// The bytes that were read.
    original: Vec<u8>,
    lines: Vec<Scanned>,
    includes: Vec<String>,
}

struct Scanned {
    line: usize,
    requirement: String,
    verdict: Verdict,
}

enum Verdict {
    /// Rewrite the version token at `span` (file offsets).
    Bump {
        span: Range<usize>,
        from: String,
    },
    Keep(String),
    Refuse(RefusalKind, String),
}

/// The consumer's current and the new version as PEP 440 versions, with `===`'s string form.
struct Versions {
    current: pep440_rs::Version,
    new: pep440_rs::Version,
}

impl Scan {
    fn of(content: &[u8], bump: &Bump<'_>) -> Result<Scan, Refusal> {
        let file = bump.file;
        let whole = |kind, reason| Refusal {
            kind,
            line: None,
            reason,
        };
        if content.len() > MAX_REQUIREMENTS_BYTES {
            return Err(whole(
                RefusalKind::TooLarge,
                format!(
                    "{file} is {} bytes, over the 1 MiB limit: bump {} in it by hand",
                    content.len(),
                    bump.package
                ),
            ));
        }
        let text = std::str::from_utf8(content).map_err(|err| {
            whole(
                RefusalKind::NotUtf8,
                format!(
                    "{file} is not UTF-8 (byte {} is not): save it as UTF-8, then re-run",
                    err.valid_up_to()
                ),
            )
        })?;
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let versions = Versions::of(bump);
        let wanted = normalize_name(bump.package);
        let mut scan = Scan {
            original: content.to_vec(),
            lines: Vec::new(),
            includes: Vec::new(),
        };
        for line in logical_lines(&text[bom..]) {
            let (requirement, verdict) = match parse_line(&line.text) {
                Entry::Options { editable, includes } => {
                    scan.includes.extend(includes);
                    if editable.as_deref() != Some(wanted.as_str()) {
                        continue;
                    }
                    let why = direct_url(bump, line.number, &line.text);
                    (
                        line.text.clone(),
                        Verdict::Refuse(RefusalKind::DirectUrl, why),
                    )
                }
                Entry::Requirement(req) => {
                    let Some(name) = &req.name else { continue };
                    if normalize_name(name) != wanted {
                        continue;
                    }
                    let verdict = verdict(&req, &line, bump, versions.as_ref());
                    (req.text, verdict)
                }
            };
            let verdict = match verdict {
                Verdict::Bump { span, from } => Verdict::Bump {
                    span: span.start + bom..span.end + bom,
                    from,
                },
                other => other,
            };
            scan.lines.push(Scanned {
                line: line.number,
                requirement: shown(&requirement),
                verdict,
            });
        }
        Ok(scan)
    }

    fn has_bumps(&self) -> bool {
        self.lines
            .iter()
            .any(|l| matches!(l.verdict, Verdict::Bump { .. }))
    }

    /// The first refused line; the reason counts the others.
    fn first_refusal(&self, bump: &Bump<'_>) -> Option<Refusal> {
        let mut refused = self.lines.iter().filter_map(|l| match &l.verdict {
            Verdict::Refuse(kind, reason) => Some((l.line, *kind, reason)),
            _ => None,
        });
        let (line, kind, reason) = refused.next()?;
        let more = refused.count();
        let reason = match more {
            0 => reason.clone(),
            n => format!("{reason} ({n} more line(s) of {} refused too)", bump.file),
        };
        Some(Refusal {
            kind,
            line: Some(line),
            reason,
        })
    }

    fn reports(&self, bump: &Bump<'_>) -> Vec<LineReport> {
        self.lines
            .iter()
            .filter_map(|l| {
                let change = match &l.verdict {
                    Verdict::Bump { from, .. } => LineChange::Bumped {
                        from: from.clone(),
                        to: bump.new.to_string(),
                    },
                    Verdict::Keep(why) => LineChange::LeftAlone(why.clone()),
                    Verdict::Refuse(..) => return None,
                };
                Some(LineReport {
                    line: l.line,
                    requirement: l.requirement.clone(),
                    change,
                })
            })
            .collect()
    }

    /// `content` with every version token to bump replaced by the new version.
    fn splice(&self, content: &[u8], bump: &Bump<'_>) -> Vec<u8> {
        let new = bump.new.to_string();
        let mut out = Vec::with_capacity(content.len() + 16);
        let mut last = 0;
        for line in &self.lines {
            if let Verdict::Bump { span, .. } = &line.verdict {
                out.extend_from_slice(&content[last..span.start]);
                out.extend_from_slice(new.as_bytes());
                last = span.end;
            }
        }
        out.extend_from_slice(&content[last..]);
        out
    }
}

impl Versions {
    fn of(bump: &Bump<'_>) -> Option<Versions> {
        let parse = |v: &RuntimeVersion| v.to_string().parse::<pep440_rs::Version>().ok();
        Some(Versions {
            current: parse(bump.current)?,
            new: parse(bump.new)?,
        })
    }
}

/// The verdict on one requirement of the package.
fn verdict(
    req: &Requirement,
    line: &LogicalLine,
    bump: &Bump<'_>,
    versions: Option<&Versions>,
) -> Verdict {
    let (file, package, new) = (bump.file, bump.package, bump.new);
    let n = line.number;
    let clauses = match &req.form {
        Form::Invalid(why) => {
            let (text, why) = (shown(&req.text), shown(why));
            return Verdict::Refuse(
                RefusalKind::Invalid,
                format!(
                    "{file} line {n}: `{text}` cannot be read as a requirement ({why}): fix it by hand, then re-run"
                ),
            );
        }
        Form::Url => {
            return Verdict::Refuse(RefusalKind::DirectUrl, direct_url(bump, n, &req.text));
        }
        Form::Specifiers(clauses) if clauses.is_empty() => {
            return Verdict::Keep(format!("lists {package} without a version"));
        }
        Form::Specifiers(clauses) => clauses,
    };
    let Some(versions) = versions else {
        return Verdict::Refuse(
            RefusalKind::NotPep440,
            format!(
                "{} or {new} is not a PEP 440 version, so {file} line {n} cannot be compared: bump it by hand",
                bump.current
            ),
        );
    };
    let pin = match clauses.as_slice() {
        [clause] if is_pin(clause) => Some(clause),
        _ => None,
    };
    if let Some(clause) = pin.filter(|c| admits(c, &versions.current)) {
        if req.hashed || line.peep_hashes {
            return Verdict::Refuse(
                RefusalKind::Hashed,
                format!("hashed pin in {file} line {n}: regenerate the lock with {package} {new}"),
            );
        }
        return match line.file_span(clause.version_range.clone()) {
            Some(span) => Verdict::Bump {
                span,
                from: clause.version.clone(),
            },
            None => Verdict::Refuse(
                RefusalKind::SplitVersion,
                format!(
                    "{file} line {n}: the version of {package} is split by a `\\` continuation: join it on one line, then re-run"
                ),
            ),
        };
    }
    let admits_current = clauses.iter().all(|c| admits(c, &versions.current));
    let admits_new = clauses.iter().all(|c| admits(c, &versions.new));
    let spec = shown(&specifier_text(&line.text, clauses));
    match (admits_current, admits_new, pin) {
        (true, false, _) => Verdict::Refuse(
            RefusalKind::Excludes,
            format!(
                "{file} line {n} requires {package} `{spec}`, which excludes {new}: change it to admit {new}, then re-run"
            ),
        ),
        (_, true, Some(_)) => Verdict::Keep(format!("already pins {new}")),
        (true, true, None) => Verdict::Keep(format!("`{spec}` is not an == pin; it admits {new}")),
        (false, _, Some(clause)) => Verdict::Keep(format!(
            "pins {}, not the current {}",
            shown(&clause.version),
            bump.current
        )),
        (false, _, None) => Verdict::Keep(format!(
            "`{spec}` does not admit the current {}",
            bump.current
        )),
    }
}

/// `==V` (no wildcard) or `===V`: one exact version.
fn is_pin(clause: &Clause) -> bool {
    match clause.operator {
        Operator::Arbitrary => true,
        Operator::Equal => !clause.version.ends_with(".*"),
        Operator::Other => false,
    }
}

/// Whether the clause admits `version`. `===` compares strings, as pip's `packaging` does.
fn admits(clause: &Clause, version: &pep440_rs::Version) -> bool {
    match &clause.parsed {
        Some(parsed) => parsed.contains(version),
        None => clause.version.eq_ignore_ascii_case(&version.to_string()),
    }
}

fn direct_url(bump: &Bump<'_>, line: usize, text: &str) -> String {
    format!(
        "{} line {line} takes {} from a URL or path (`{}`): point it at {} by hand",
        bump.file,
        bump.package,
        shown(text),
        bump.new
    )
}

/// The specifier as written, from its first clause to its last.
fn specifier_text(text: &str, clauses: &[Clause]) -> String {
    let start = clauses.first().map_or(0, |c| c.range.start);
    let end = clauses.last().map_or(0, |c| c.range.end);
    text[start..end].to_owned()
}

/// Text from the file as it may be shown: control characters escaped, at most 100 characters.
fn shown(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 100 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
