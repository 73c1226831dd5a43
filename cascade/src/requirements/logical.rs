//! pip's logical lines: the file split as Python's `str.splitlines` splits it, `\` continuations
//! joined, comments and blank lines dropped, exactly as pip's `req_file.preprocess` does, with a
//! map from every byte pip reads back to its offset in the file.

use std::ops::Range;

/// One line as pip reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct LogicalLine {
    /// The 1-based number of its first physical line (pip's "line N").
    pub(super) number: usize,
    /// What pip parses: continuations joined, the comment and surrounding white space removed.
    pub(super) text: String,
    /// Runs of `text` that are contiguous in the file: (start in `text`, start in the file, len).
    segments: Vec<(usize, usize, usize)>,
    /// Comment lines directly above it hold peep's `# sha256:` hashes.
    pub(super) peep_hashes: bool,
}

impl LogicalLine {
    /// Where `range` of [`LogicalLine::text`] lies in the file, when it lies there in one piece.
    pub(super) fn file_span(&self, range: Range<usize>) -> Option<Range<usize>> {
        let (text_start, file_start, len) = *self
            .segments
            .iter()
            .find(|(start, _, len)| range.start >= *start && range.start < start + len)?;
        if range.end > text_start + len {
            return None;
        }
        let offset = file_start + (range.start - text_start);
        Some(offset..offset + range.len())
    }
}

/// The logical lines of `text`, in order.
pub(super) fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut pending: Option<Joined> = None;
    let mut peep = false;
    for (index, span) in physical_lines(text).into_iter().enumerate() {
        let line = &text[span.clone()];
        let comment = is_comment_line(line);
        // A peep hash comment that ends a `\` continuation is read as pip reads it, as part of
        // the line it ends; which requirement peep meant it for is unclear, so it counts for
        // that line and for the next one: either is refused rather than bumped past its hash.
        let peep_here = comment && is_peep_hash(line);
        let carried = peep_here && pending.is_some();
        peep |= peep_here;
        if line.ends_with('\\') && !comment {
            let joined = pending.get_or_insert_with(|| Joined::new(index + 1));
            let stripped = line.trim_matches('\\');
            let skipped = line.len() - line.trim_start_matches('\\').len();
            joined.push(stripped, span.start + skipped);
            continue;
        }
        let mut joined = pending.take().unwrap_or_else(|| Joined::new(index + 1));
        if comment {
            joined.text.push(' ');
        }
        joined.push(line, span.start);
        if let Some(line) = joined.finish(peep) {
            lines.push(line);
            peep = carried;
        }
    }
    if let Some(line) = pending.and_then(|joined| joined.finish(peep)) {
        lines.push(line);
    }
    lines
}

/// A logical line being joined from physical lines.
struct Joined {
    number: usize,
    text: String,
    segments: Vec<(usize, usize, usize)>,
}

impl Joined {
    fn new(number: usize) -> Joined {
        Joined {
            number,
            text: String::new(),
            segments: Vec::new(),
        }
    }

    fn push(&mut self, piece: &str, file_offset: usize) {
        if !piece.is_empty() {
            self.segments
                .push((self.text.len(), file_offset, piece.len()));
        }
        self.text.push_str(piece);
    }

    /// Strips the comment and the white space around what is left; `None` when nothing is.
    fn finish(mut self, peep_hashes: bool) -> Option<LogicalLine> {
        let end = comment_start(&self.text).unwrap_or(self.text.len());
        self.text.truncate(end);
        let kept = self.text.trim_end_matches(is_py_space).len();
        self.text.truncate(kept);
        let lead = self.text.len() - self.text.trim_start_matches(is_py_space).len();
        if lead == self.text.len() {
            return None;
        }
        self.text.drain(..lead);
        let segments = self
            .segments
            .into_iter()
            .filter_map(|(start, file, len)| {
                let (from, to) = (start.max(lead), (start + len).min(kept));
                (from < to).then(|| (from - lead, file + (from - start), to - from))
            })
            .collect();
        Some(LogicalLine {
            number: self.number,
            text: self.text,
            segments,
            peep_hashes,
        })
    }
}

/// The content of each physical line, without its terminator, as Python's `str.splitlines`
/// splits: at `\n`, `\r\n`, `\r` and the other Unicode line boundaries.
fn physical_lines(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_line_break(c) {
            continue;
        }
        lines.push(start..i);
        start = i + c.len_utf8();
        if c == '\r' && chars.next_if(|&(_, next)| next == '\n').is_some() {
            start += 1;
        }
    }
    if start < text.len() {
        lines.push(start..text.len());
    }
    lines
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Python's `str.isspace`, which is what `\s` and `strip()` mean in pip's parser.
pub(super) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// pip's `COMMENT_RE.match`: the line's first non-space character is `#`.
fn is_comment_line(line: &str) -> bool {
    line.trim_start_matches(is_py_space).starts_with('#')
}

/// peep's hash comment: `# sha256: …`.
fn is_peep_hash(line: &str) -> bool {
    line.trim_start_matches(is_py_space)
        .strip_prefix('#')
        .is_some_and(|rest| rest.trim_start_matches(is_py_space).starts_with("sha256:"))
}

/// Where pip's `COMMENT_RE` (`(^|\s+)#.*$`) starts to match: a `#` at the start of the line or
/// after white space, which goes with it. A `#` glued to a word (`pkg==1.0#x`) is not a comment.
fn comment_start(text: &str) -> Option<usize> {
    let mut space_run = Some(0);
    for (i, c) in text.char_indices() {
        if c == '#'
            && let Some(start) = space_run
        {
            return Some(start);
        }
        if is_py_space(c) {
            space_run.get_or_insert(i);
        } else {
            space_run = None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<(usize, String)> {
        logical_lines(input)
            .into_iter()
            .map(|line| (line.number, line.text))
            .collect()
    }

    fn owned(lines: &[(usize, &str)]) -> Vec<(usize, String)> {
        lines.iter().map(|(n, t)| (*n, (*t).to_owned())).collect()
    }

    #[test]
    fn splits_where_python_splitlines_splits() {
        assert_eq!(physical_lines(""), Vec::<Range<usize>>::new());
        assert_eq!(physical_lines("a\r\nb\rc\nd"), [0..1, 3..4, 5..6, 7..8]);
        assert_eq!(physical_lines("a\n\n"), [0..1, 2..2]);
        assert_eq!(physical_lines("a\u{2028}b\x0cc"), [0..1, 4..5, 6..7]);
    }

    #[test]
    fn comments_start_at_line_start_or_after_white_space_only() {
        assert_eq!(comment_start("# x"), Some(0));
        assert_eq!(comment_start("   # x"), Some(0));
        assert_eq!(comment_start("a==1 #x"), Some(4));
        assert_eq!(comment_start("a==1 \t #x"), Some(4));
        assert_eq!(comment_start("a==1#x"), None);
        assert_eq!(comment_start("a==1#x #y"), Some(6));
        assert_eq!(comment_start("a==1 #"), Some(4));
        assert_eq!(comment_start("a==1"), None);
    }

    #[test]
    fn joins_continuations_and_drops_comments_blank_lines_and_via_blocks() {
        let input = "# header\n\npkg==1.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via\n    #   other\nb==2 #pinned\r\nc==3#glued\n";
        assert_eq!(
            texts(input),
            owned(&[
                (3, "pkg==1.0     --hash=sha256:aa     --hash=sha256:bb"),
                (8, "b==2"),
                (9, "c==3#glued"),
            ])
        );
    }

    #[test]
    fn a_comment_ends_a_continuation_and_a_final_backslash_is_kept_joined() {
        assert_eq!(
            texts("a==1 \\\n# via x\nb==2 \\"),
            owned(&[(1, "a==1"), (3, "b==2")])
        );
        assert_eq!(texts("\\\\a==1\\\\\nb"), owned(&[(1, "a==1b")]));
    }

    #[test]
    fn maps_every_byte_back_to_the_file() {
        let input = "  x \\\n  pkg==1.4.2 ; m \\\n --hash=sha256:aa\n";
        let line = &logical_lines(input)[0];
        assert_eq!(line.text, "x   pkg==1.4.2 ; m  --hash=sha256:aa");
        let at = line.text.find("1.4.2").unwrap();
        let span = line.file_span(at..at + 5).unwrap();
        assert_eq!(&input[span], "1.4.2");
        assert_eq!(line.file_span(0..line.text.len()), None, "spans two lines");
    }

    #[test]
    fn peep_hash_comments_mark_the_next_requirement_only() {
        let lines = logical_lines("# sha256: abc\n#sha256:def\na==1\nb==2\n");
        let peep: Vec<_> = lines.iter().map(|l| (l.number, l.peep_hashes)).collect();
        assert_eq!(peep, [(3, true), (4, false)]);
    }
}
