//! Templates of the pull request's title, body and changelog link: `{name}` placeholders,
//! checked when the config is loaded.
//!
//! A template names only placeholders it may use; anything else is refused at load, naming the
//! valid ones, so that a typo (`{pkg}`) is a config error instead of text published literally in
//! 800 pull requests. `{{` and `}}` are literal braces.

use std::fmt;

/// The values a template can name.
#[derive(Clone, Copy, Debug)]
pub struct Values<'a> {
    /// `{package}`: the runtime's package name.
    pub package: &'a str,
    /// `{version}`: the release being proposed.
    pub version: &'a str,
    /// `{old_version}`: the consumer's version before the bump.
    pub old_version: &'a str,
}

/// The placeholders every template may use, in the order they are listed in errors.
pub const PLACEHOLDERS: [&str; 3] = ["package", "version", "old_version"];

/// A checked template.
#[derive(Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Package,
    Version,
    OldVersion,
}

/// Why a template was refused: one line, with the byte offset of the problem in the template.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    /// Where in the template text the problem starts.
    pub offset: usize,
    message: String,
}

impl Template {
    /// Checks `source`.
    ///
    /// ```
    /// use cascade::template::{Template, Values};
    ///
    /// let title = Template::parse("Bump {package} to {version} {{automated}}")?;
    /// let values = Values { package: "platform-runtime", version: "1.5.0", old_version: "1.4.2" };
    /// assert_eq!(title.render(&values), "Bump platform-runtime to 1.5.0 {automated}");
    ///
    /// let err = Template::parse("Bump {pkg}").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "unknown placeholder {pkg}; the valid ones are {package}, {version}, {old_version} (write {{ or }} for a literal brace)"
    /// );
    /// # Ok::<(), cascade::template::TemplateError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`TemplateError`] for an unknown placeholder, a `{` never closed, or a lone `}`.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = source.char_indices().peekable();
        while let Some((at, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|&(_, n)| n) == Some('{') => {
                    rest.next();
                    text.push('{');
                }
                '}' if rest.peek().map(|&(_, n)| n) == Some('}') => {
                    rest.next();
                    text.push('}');
                }
                '{' => {
                    let Some(len) = source[at + 1..].find('}') else {
                        return Err(error(at, "a { that is never closed".to_owned()));
                    };
                    let name = &source[at + 1..at + 1 + len];
                    let part = match name {
                        "package" => Part::Package,
                        "version" => Part::Version,
                        "old_version" => Part::OldVersion,
                        _ => {
                            let shown: String = name.chars().take(40).collect();
                            let shown = shown.escape_debug();
                            return Err(error(
                                at,
                                format!(
                                    "unknown placeholder {{{shown}}}; the valid ones are {}",
                                    valid()
                                ),
                            ));
                        }
                    };
                    while rest.next_if(|&(i, _)| i <= at + 1 + len).is_some() {}
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(part);
                }
                '}' => return Err(error(at, "a } without its {".to_owned())),
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template {
            source: source.to_owned(),
            parts,
        })
    }

    /// A template that is `text` as it is, braces included.
    pub fn text(text: &str) -> Template {
        Template {
            source: text.to_owned(),
            parts: vec![Part::Text(text.to_owned())],
        }
    }

    /// The template with every placeholder replaced.
    pub fn render(&self, values: &Values<'_>) -> String {
        let mut out = String::with_capacity(self.source.len());
        for part in &self.parts {
            out.push_str(match part {
                Part::Text(text) => text,
                Part::Package => values.package,
                Part::Version => values.version,
                Part::OldVersion => values.old_version,
            });
        }
        out
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Template").field(&self.source).finish()
    }
}

fn valid() -> String {
    let names: Vec<String> = PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect();
    format!(
        "{} (write {{{{ or }}}} for a literal brace)",
        names.join(", ")
    )
}

fn error(offset: usize, message: String) -> TemplateError {
    let message = if message.contains("the valid ones") {
        message
    } else {
        format!("{message}; the placeholders are {}", valid())
    };
    TemplateError { offset, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: Values<'static> = Values {
        package: "platform-runtime",
        version: "1.5.0",
        old_version: "1.4.2",
    };

    #[test]
    fn renders_every_placeholder_and_escaped_braces() {
        let t = Template::parse("{package} {old_version} -> {version}: {{x}} }} {{").unwrap();
        assert_eq!(
            t.render(&VALUES),
            "platform-runtime 1.4.2 -> 1.5.0: {x} } {"
        );
        assert_eq!(Template::parse("").unwrap().render(&VALUES), "");
        assert_eq!(
            Template::parse("héllo {version}ü").unwrap().render(&VALUES),
            "héllo 1.5.0ü"
        );
    }

    #[test]
    fn refuses_unknown_unclosed_and_lone_braces_with_the_offset() {
        for (source, offset, needle) in [
            (
                "Bump {pkg} now",
                5,
                "unknown placeholder {pkg}; the valid ones are {package}, {version}, {old_version}",
            ),
            ("{Version}", 0, "unknown placeholder {Version}"),
            ("{}", 0, "unknown placeholder {}"),
            ("x {version", 2, "a { that is never closed"),
            (
                "ü } y",
                3,
                "a } without its {; the placeholders are {package}",
            ),
            ("{ver{sion}", 0, "unknown placeholder {ver{sion}"),
            ("{a\nb}", 0, "unknown placeholder {a\\nb}"),
        ] {
            let err = Template::parse(source).unwrap_err();
            assert_eq!(err.offset, offset, "{source:?}");
            assert!(err.to_string().contains(needle), "{source:?}: {err}");
            assert!(!err.to_string().contains('\n'));
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_text_without_braces_is_itself(text in "\\PC{0,60}") {
            match Template::parse(&text) {
                Ok(t) if !text.contains(['{', '}']) => proptest::prop_assert_eq!(t.render(&VALUES), text),
                Ok(_) => {}
                Err(err) => {
                    proptest::prop_assert!(!err.to_string().contains('\n'));
                    proptest::prop_assert!(text.is_char_boundary(err.offset));
                }
            }
        }
    }
}
