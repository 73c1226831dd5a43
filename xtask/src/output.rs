//! Where a command's report goes: the table, `--json` on stdout, and `--output FILE`.
//!
//! With `--json`, stdout holds exactly one JSON document whatever happens: the report, or
//! `{"error": "…"}` when the command stops with exit code 2. `--output FILE` gets the same
//! document, written to a temporary file beside FILE and renamed over it, so a reader never sees
//! half a report; the temporary file is created before the run, so a path that cannot be written
//! stops the command before anything is written to Gitea.

use std::{
    fs::File,
    io::Write as _,
    path::{Path, PathBuf},
};

use serde::Serialize;

/// The report's destinations for one command.
#[derive(Debug)]
pub(crate) struct Sink {
    json: bool,
    file: Option<PendingFile>,
}

/// `{"error": "…"}`.
#[derive(Serialize)]
struct ErrorDocument<'a> {
    error: &'a str,
}

impl Sink {
    /// Opens the destinations; with `output`, creates its temporary file now.
    ///
    /// # Errors
    ///
    /// One line naming `--output` and the path when the file cannot be created.
    pub(crate) fn open(json: bool, output: Option<&Path>) -> Result<Sink, String> {
        let file = output
            .map(PendingFile::create)
            .transpose()
            .map_err(|(path, err)| format!("cannot write --output {}: {err}", path.display()))?;
        Ok(Sink { json, file })
    }

    /// A sink that only knows whether `--json` was given, for errors before [`Sink::open`].
    pub(crate) fn stdout_only(json: bool) -> Sink {
        Sink { json, file: None }
    }

    /// Writes the report: JSON to stdout with `--json` (the table then goes to stderr), JSON to
    /// the `--output` file, and the table to stdout otherwise.
    ///
    /// # Errors
    ///
    /// One line when the `--output` file could not be written; stdout was still written.
    pub(crate) fn report<T: Serialize>(self, report: &T, table: &str) -> Result<(), String> {
        let document = serde_json::to_string_pretty(report)
            .map_err(|err| format!("cannot serialize the report: {err}"))?;
        if self.json {
            println!("{document}");
            eprint!("{table}");
        } else {
            print!("{table}");
        }
        match self.file {
            Some(file) => file.commit(&document),
            None => Ok(()),
        }
    }

    /// Reports a command that stopped with exit code 2: one line on stderr, and the error
    /// document on stdout with `--json` and in the `--output` file.
    pub(crate) fn error(self, message: &str) {
        eprintln!("error: {message}");
        self.error_on_stdout_only(message);
    }

    /// [`Sink::error`] without the line on stderr, for a caller that prints its own.
    pub(crate) fn error_on_stdout_only(self, message: &str) {
        let document = serde_json::to_string_pretty(&ErrorDocument { error: message })
            .unwrap_or_else(|_| "{\"error\": \"unprintable error\"}".to_owned());
        if self.json {
            println!("{document}");
        }
        if let Some(file) = self.file
            && let Err(err) = file.commit(&document)
        {
            eprintln!("error: {err}");
        }
    }
}

/// A temporary file beside the target, renamed over it on commit and removed otherwise.
#[derive(Debug)]
struct PendingFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
}

impl PendingFile {
    fn create(target: &Path) -> Result<PendingFile, (PathBuf, std::io::Error)> {
        let fail = |err| (target.to_owned(), err);
        if target.is_dir() {
            return Err(fail(std::io::Error::other("it is a directory")));
        }
        let name = target
            .file_name()
            .ok_or_else(|| fail(std::io::Error::other("it names no file")))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.tmp", std::process::id()));
        let temp = target.with_file_name(temp_name);
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(fail)?;
        Ok(PendingFile {
            target: target.to_owned(),
            temp,
            file: Some(file),
        })
    }

    fn commit(mut self, document: &str) -> Result<(), String> {
        let fail =
            |err: std::io::Error| format!("cannot write --output {}: {err}", self.target.display());
        let mut file = self
            .file
            .take()
            .ok_or_else(|| fail(std::io::Error::other("already written")))?;
        file.write_all(document.as_bytes()).map_err(fail)?;
        file.write_all(b"\n").map_err(fail)?;
        file.sync_all().map_err(fail)?;
        drop(file);
        std::fs::rename(&self.temp, &self.target).map_err(fail)?;
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
