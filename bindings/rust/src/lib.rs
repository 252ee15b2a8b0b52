//! lib.rs - safe Rust wrapper over libcodeidx: open, update with progress, search, stats.
//!
//! ```no_run
//! use std::ops::ControlFlow;
//! use codeidx::{Index, SearchOptions, UpdateOptions};
//!
//! let idx = Index::open("path/to/tree")?;
//! idx.update_with_progress(&UpdateOptions::default(), |p| {
//!     println!("{} {}/{} ({} busy)", p.phase, p.current, p.total, p.concurrent_files.len());
//!     ControlFlow::Continue(())
//! })?;
//! for m in idx.search("TODO", &SearchOptions::new().literal(true).glob("*.rs"))? {
//!     println!("{}:{}:{}", m.path.display(), m.line, m.text_lossy());
//! }
//! # Ok::<(), codeidx::Error>(())
//! ```
//!
//! Paths are `PathBuf`s built from the library's raw bytes (lossless on Unix); line text
//! is `Vec<u8>` (it need not be UTF-8, and may hold NUL bytes); spans are byte ranges.
//! The raw declarations are in [`sys`].

pub mod sys;

use std::any::Any;
use std::borrow::Cow;
use std::ffi::{CStr, CString, OsStr};
use std::fmt;
use std::ops::{ControlFlow, Range};
use std::os::raw::{c_char, c_int, c_void};
use std::os::unix::ffi::OsStrExt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::time::Duration;

// ------------------------------------------------------------------ errors ----

/// The kind of a library error (`CODEIDX_E*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Internal,
    InvalidArgument,
    OutOfMemory,
    Io,
    NoIndex,
    Corrupt,
    Locked,
    Cancelled,
    Pattern,
    Version,
    Limit,
    Other,
}

impl ErrorKind {
    fn from_code(code: i32) -> ErrorKind {
        match code {
            sys::CODEIDX_ERROR => ErrorKind::Internal,
            sys::CODEIDX_EINVAL => ErrorKind::InvalidArgument,
            sys::CODEIDX_ENOMEM => ErrorKind::OutOfMemory,
            sys::CODEIDX_EIO => ErrorKind::Io,
            sys::CODEIDX_ENOINDEX => ErrorKind::NoIndex,
            sys::CODEIDX_ECORRUPT => ErrorKind::Corrupt,
            sys::CODEIDX_ELOCKED => ErrorKind::Locked,
            sys::CODEIDX_ECANCELLED => ErrorKind::Cancelled,
            sys::CODEIDX_EPATTERN => ErrorKind::Pattern,
            sys::CODEIDX_EVERSION => ErrorKind::Version,
            sys::CODEIDX_ELIMIT => ErrorKind::Limit,
            _ => ErrorKind::Other,
        }
    }
}

/// A failed library call: the error code, its name (`codeidx_strerror`) and the detail
/// message the library gave (`codeidx_error_detail`, read right after the call).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: i32,
    name: String,
    detail: String,
}

impl Error {
    /// Builds the error of `code` with the calling thread's detail message. Call it on
    /// the thread that made the failing call, before any other library call.
    fn last(code: c_int) -> Error {
        // SAFETY: both return static or thread-local NUL-terminated strings.
        let detail = unsafe { cstr_lossy(sys::codeidx_error_detail()) };
        Error::with_detail(code, detail)
    }

    fn with_detail(code: c_int, detail: String) -> Error {
        Error {
            code,
            name: strerror(code),
            detail,
        }
    }

    /// The library's negative error code.
    pub fn code(&self) -> i32 {
        self.code
    }

    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code)
    }

    /// `codeidx_strerror(code)`, e.g. "index is locked".
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What failed, with context (which file, which offset); may be empty.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.is_empty() {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{}: {}", self.name, self.detail)
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

fn check(code: c_int) -> Result<()> {
    if code < 0 {
        Err(Error::last(code))
    } else {
        Ok(())
    }
}

/// Copies a NUL-terminated C string (NULL gives "").
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string.
unsafe fn cstr_bytes<'a>(p: *const c_char) -> &'a [u8] {
    if p.is_null() {
        b""
    } else {
        CStr::from_ptr(p).to_bytes()
    }
}

unsafe fn cstr_lossy(p: *const c_char) -> String {
    String::from_utf8_lossy(cstr_bytes(p)).into_owned()
}

unsafe fn cstr_path(p: *const c_char) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(cstr_bytes(p)))
}

/// `codeidx_strerror`: a short description of an error code.
pub fn strerror(code: i32) -> String {
    unsafe { cstr_lossy(sys::codeidx_strerror(code)) }
}

/// The library's version string.
pub fn version() -> String {
    unsafe { cstr_lossy(sys::codeidx_version()) }
}

unsafe fn string_list(mut p: *const *const c_char) -> Vec<String> {
    let mut out = Vec::new();
    if p.is_null() {
        return out;
    }
    while !(*p).is_null() {
        out.push(cstr_lossy(*p));
        p = p.add(1);
    }
    out
}

/// Names accepted by [`SearchOptions::language`].
pub fn languages() -> Vec<String> {
    unsafe { string_list(sys::codeidx_languages()) }
}

/// File name globs of one language, or None for an unknown name.
pub fn language_globs(name: &str) -> Option<Vec<String>> {
    let name = CString::new(name).ok()?;
    let p = unsafe { sys::codeidx_language_globs(name.as_ptr()) };
    if p.is_null() {
        None
    } else {
        Some(unsafe { string_list(p) })
    }
}

fn c_string(bytes: &[u8], what: &str) -> Result<CString> {
    CString::new(bytes).map_err(|_| {
        Error::with_detail(sys::CODEIDX_EINVAL, format!("{what} must not contain NUL"))
    })
}

/// Owned C strings plus the pointer array the C side reads.
struct CStrings {
    _owned: Vec<CString>,
    ptrs: Vec<*const c_char>,
}

impl CStrings {
    fn new(items: &[String], what: &str) -> Result<CStrings> {
        let owned = items
            .iter()
            .map(|s| c_string(s.as_bytes(), what))
            .collect::<Result<Vec<_>>>()?;
        let ptrs = owned.iter().map(|c| c.as_ptr()).collect();
        Ok(CStrings {
            _owned: owned,
            ptrs,
        })
    }

    fn ptr(&self) -> *const *const c_char {
        if self.ptrs.is_empty() {
            ptr::null()
        } else {
            self.ptrs.as_ptr()
        }
    }
}

fn flag(on: bool, bit: std::os::raw::c_uint) -> std::os::raw::c_uint {
    if on {
        bit
    } else {
        0
    }
}

fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(Duration::ZERO)
}

// -------------------------------------------------------------- value types ----

/// Phases of an update, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    Setup,
    Hash,
    Index,
    Commit,
    Done,
    Other(i32),
}

impl Phase {
    fn from_raw(v: c_int) -> Phase {
        match v {
            sys::CODEIDX_PHASE_SETUP => Phase::Setup,
            sys::CODEIDX_PHASE_HASH => Phase::Hash,
            sys::CODEIDX_PHASE_INDEX => Phase::Index,
            sys::CODEIDX_PHASE_COMMIT => Phase::Commit,
            sys::CODEIDX_PHASE_DONE => Phase::Done,
            v => Phase::Other(v),
        }
    }

    fn raw(self) -> c_int {
        match self {
            Phase::Setup => sys::CODEIDX_PHASE_SETUP,
            Phase::Hash => sys::CODEIDX_PHASE_HASH,
            Phase::Index => sys::CODEIDX_PHASE_INDEX,
            Phase::Commit => sys::CODEIDX_PHASE_COMMIT,
            Phase::Done => sys::CODEIDX_PHASE_DONE,
            Phase::Other(v) => v,
        }
    }

    /// The library's name ("setup", "hash", "index", "commit", "done").
    pub fn name(self) -> &'static str {
        // SAFETY: static storage, ASCII.
        unsafe { CStr::from_ptr(sys::codeidx_phase_name(self.raw())) }
            .to_str()
            .unwrap_or("?")
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a worker slot is doing with its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileStatus {
    Queued,
    Stating,
    Hashing,
    Reading,
    Indexing,
    Done,
    Failed,
    Other(i32),
}

impl FileStatus {
    fn from_raw(v: c_int) -> FileStatus {
        match v {
            sys::CODEIDX_FILE_QUEUED => FileStatus::Queued,
            sys::CODEIDX_FILE_STATING => FileStatus::Stating,
            sys::CODEIDX_FILE_HASHING => FileStatus::Hashing,
            sys::CODEIDX_FILE_READING => FileStatus::Reading,
            sys::CODEIDX_FILE_INDEXING => FileStatus::Indexing,
            sys::CODEIDX_FILE_DONE => FileStatus::Done,
            sys::CODEIDX_FILE_FAILED => FileStatus::Failed,
            v => FileStatus::Other(v),
        }
    }

    fn raw(self) -> c_int {
        match self {
            FileStatus::Queued => sys::CODEIDX_FILE_QUEUED,
            FileStatus::Stating => sys::CODEIDX_FILE_STATING,
            FileStatus::Hashing => sys::CODEIDX_FILE_HASHING,
            FileStatus::Reading => sys::CODEIDX_FILE_READING,
            FileStatus::Indexing => sys::CODEIDX_FILE_INDEXING,
            FileStatus::Done => sys::CODEIDX_FILE_DONE,
            FileStatus::Failed => sys::CODEIDX_FILE_FAILED,
            FileStatus::Other(v) => v,
        }
    }

    /// The library's name ("queued", "hashing", "reading", ...).
    pub fn name(self) -> &'static str {
        unsafe { CStr::from_ptr(sys::codeidx_file_status_name(self.raw())) }
            .to_str()
            .unwrap_or("?")
    }
}

impl fmt::Display for FileStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An owned copy of one busy worker slot, taken when the event was made.
#[derive(Clone, Debug, PartialEq)]
pub struct ConcurrentFile {
    /// Worker slot id, 0 .. threads-1.
    pub slot: u32,
    /// Relative to the root.
    pub path: PathBuf,
    /// Bytes.
    pub size: u64,
    pub status: FileStatus,
    /// Since the slot started this file.
    pub elapsed: Duration,
}

/// An owned copy of one progress event.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub phase: Phase,
    /// Files finished in this phase.
    pub current: u64,
    /// Files in this phase; 0 marks an info message.
    pub total: u64,
    pub bytes_done: u64,
    /// 0 if unknown.
    pub bytes_total: u64,
    pub files_per_second: f64,
    pub bytes_per_second: f64,
    /// Busy slots right now.
    pub active_threads: u32,
    /// Configured worker threads.
    pub threads: u32,
    pub elapsed: Duration,
    /// Of this phase; None when unknown.
    pub eta: Option<Duration>,
    /// Human-readable info ("" if none), lossily decoded.
    pub message: String,
    pub concurrent_files: Vec<ConcurrentFile>,
}

impl Progress {
    /// # Safety
    /// `ev` is a valid event as passed to a progress callback.
    unsafe fn from_raw(ev: &sys::codeidx_progress) -> Progress {
        let raw_files: &[sys::codeidx_concurrent_file] = if ev.n_files == 0 || ev.files.is_null() {
            &[]
        } else {
            std::slice::from_raw_parts(ev.files, ev.n_files)
        };
        let concurrent_files = raw_files
            .iter()
            .map(|f| ConcurrentFile {
                slot: f.slot,
                path: cstr_path(f.path),
                size: f.size,
                status: FileStatus::from_raw(f.status),
                elapsed: seconds(f.seconds),
            })
            .collect();
        Progress {
            phase: Phase::from_raw(ev.phase),
            current: ev.current,
            total: ev.total,
            bytes_done: ev.bytes_done,
            bytes_total: ev.bytes_total,
            files_per_second: ev.files_per_second,
            bytes_per_second: ev.bytes_per_second,
            active_threads: ev.active_threads,
            threads: ev.threads,
            elapsed: seconds(ev.elapsed_seconds),
            eta: if ev.eta_seconds >= 0.0 {
                Some(seconds(ev.eta_seconds))
            } else {
                None
            },
            message: cstr_lossy(ev.message),
            concurrent_files,
        }
    }
}

/// Files the walk saw but left out, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    pub ignored: u64,
    pub excluded: u64,
    pub binary: u64,
    pub too_large: u64,
    pub symlink: u64,
    pub special: u64,
    pub failed: u64,
}

impl Skipped {
    fn from_raw(a: &[u64; sys::CODEIDX_SKIP__COUNT]) -> Skipped {
        Skipped {
            ignored: a[0],
            excluded: a[1],
            binary: a[2],
            too_large: a[3],
            symlink: a[4],
            special: a[5],
            failed: a[6],
        }
    }
}

/// What one update did.
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateResult {
    pub generation: u64,
    pub files_new: u64,
    pub files_changed: u64,
    pub files_touched: u64,
    pub files_unchanged: u64,
    pub files_deleted: u64,
    pub bytes_indexed: u64,
    pub segments_written: u64,
    pub segments_merged: u64,
    pub skipped: Skipped,
    pub elapsed: Duration,
}

/// Counts of the newest committed generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    /// 0 = nothing committed yet.
    pub generation: u64,
    pub files: u64,
    pub bytes: u64,
    pub segments: u64,
    pub deleted_docs: u64,
    pub index_bytes: u64,
    pub trigrams: u64,
    /// As counted by the last update.
    pub skipped: Skipped,
}

/// One line of search output: a matching line, or a context line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Match {
    /// Relative to the root, from the library's raw bytes.
    pub path: PathBuf,
    /// 1-based.
    pub line: u64,
    /// 1-based byte column of the first match; 0 on context lines.
    pub column: u64,
    /// The line without its '\n': raw bytes, maybe not UTF-8, maybe with NUL bytes.
    pub text: Vec<u8>,
    /// Byte ranges of every match in `text`, ascending; empty on context lines.
    pub spans: Vec<Range<usize>>,
    pub is_context: bool,
    /// The first line reported for this file.
    pub file_start: bool,
}

impl Match {
    unsafe fn from_raw(m: &sys::codeidx_match) -> Match {
        let text = if m.text_len == 0 || m.text.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(m.text as *const u8, m.text_len).to_vec()
        };
        let spans = if m.n_spans == 0 || m.spans.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(m.spans, m.n_spans)
                .iter()
                .map(|s| s.start..s.end)
                .collect()
        };
        Match {
            path: cstr_path(m.path),
            line: m.line,
            column: m.column,
            text,
            spans,
            is_context: m.is_context != 0,
            file_start: m.file_start != 0,
        }
    }

    /// The line as text, invalid UTF-8 replaced by U+FFFD.
    pub fn text_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.text)
    }

    /// The bytes of each match on the line.
    pub fn matched(&self) -> impl Iterator<Item = &[u8]> {
        self.spans.iter().map(move |r| &self.text[r.clone()])
    }
}

/// Figures of a finished search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchSummary {
    pub generation: u64,
    pub files_indexed: u64,
    /// Files the trigram plan left to verify.
    pub candidates: u64,
    pub files_matched: u64,
    pub lines_matched: u64,
    /// The callback or max_total ended the search early.
    pub stopped: bool,
}

// ------------------------------------------------------------------ options ----

/// How to update. `UpdateOptions::default()` is the library's defaults.
#[derive(Clone, Debug, Default)]
pub struct UpdateOptions {
    /// Rebuild from scratch.
    pub full: bool,
    /// Read no .gitignore files.
    pub no_ignore: bool,
    /// Worker threads at the lowest CPU priority (nice 19).
    pub background: bool,
    /// Worker threads; 0 = online CPUs.
    pub threads: u32,
    /// Larger files are skipped; None = library default (16 MiB).
    pub max_file_size: Option<u64>,
    /// Extra gitignore-style patterns ("!x" re-includes).
    pub excludes: Vec<String>,
    /// Throttle between events; None = library default (100 ms), zero = one event per
    /// finished file.
    pub progress_interval: Option<Duration>,
}

/// How to search. Fields are public; the builder methods are shorthands.
#[derive(Clone, Debug, Default)]
pub struct SearchOptions {
    /// The pattern is a fixed string ('\n' separates alternatives, as grep -F).
    pub literal: bool,
    /// ASCII case-insensitive (grep -i).
    pub ignore_case: bool,
    /// Whole words only (grep -w).
    pub word: bool,
    /// Gitignore-style path globs; a leading '!' excludes (ripgrep -g).
    pub globs: Vec<String>,
    /// Language names (see [`languages`]).
    pub languages: Vec<String>,
    /// At most this many matching lines per file (grep -m); None = all.
    pub max_count: Option<u64>,
    /// Stop after this many matching lines overall; None = all.
    pub max_total: Option<u64>,
    /// Context lines before / after each match (grep -B / -A).
    pub before: u32,
    pub after: u32,
    /// Verification threads; 0 = online CPUs.
    pub threads: u32,
}

impl SearchOptions {
    pub fn new() -> SearchOptions {
        SearchOptions::default()
    }
    pub fn literal(mut self, on: bool) -> Self {
        self.literal = on;
        self
    }
    pub fn ignore_case(mut self, on: bool) -> Self {
        self.ignore_case = on;
        self
    }
    pub fn word(mut self, on: bool) -> Self {
        self.word = on;
        self
    }
    pub fn glob(mut self, glob: &str) -> Self {
        self.globs.push(glob.to_owned());
        self
    }
    pub fn language(mut self, name: &str) -> Self {
        self.languages.push(name.to_owned());
        self
    }
    pub fn max_count(mut self, n: u64) -> Self {
        self.max_count = Some(n);
        self
    }
    pub fn max_total(mut self, n: u64) -> Self {
        self.max_total = Some(n);
        self
    }
    /// Lines of context before and after (grep -C).
    pub fn context(mut self, n: u32) -> Self {
        self.before = n;
        self.after = n;
        self
    }
}

// -------------------------------------------------------------- trampolines ----
// The C side calls these with `user` pointing at a context on the caller's stack. A
// panic never unwinds into C: it is caught, the callback returns 1 (stop), and the
// panic resumes once the C call has returned.

type Panic = Box<dyn Any + Send + 'static>;

struct ProgressCtx<'a> {
    f: &'a mut dyn FnMut(Progress) -> ControlFlow<()>,
    panic: Option<Panic>,
}

unsafe extern "C" fn progress_trampoline(
    ev: *const sys::codeidx_progress,
    user: *mut c_void,
) -> c_int {
    let ctx = &mut *(user as *mut ProgressCtx<'_>);
    if ctx.panic.is_some() {
        return 1; // it panicked: never call it again (the C side sends a last event)
    }
    let f = &mut ctx.f;
    match panic::catch_unwind(AssertUnwindSafe(|| f(Progress::from_raw(&*ev)))) {
        Ok(ControlFlow::Continue(())) => 0,
        Ok(ControlFlow::Break(())) => 1,
        Err(p) => {
            ctx.panic = Some(p);
            1
        }
    }
}

struct MatchCtx<'a> {
    f: &'a mut dyn FnMut(Match) -> ControlFlow<()>,
    panic: Option<Panic>,
}

unsafe extern "C" fn match_trampoline(m: *const sys::codeidx_match, user: *mut c_void) -> c_int {
    let ctx = &mut *(user as *mut MatchCtx<'_>);
    if ctx.panic.is_some() {
        return 1;
    }
    let f = &mut ctx.f;
    match panic::catch_unwind(AssertUnwindSafe(|| f(Match::from_raw(&*m)))) {
        Ok(ControlFlow::Continue(())) => 0,
        Ok(ControlFlow::Break(())) => 1,
        Err(p) => {
            ctx.panic = Some(p);
            1
        }
    }
}

// -------------------------------------------------------------------- index ----

/// An open index over one root directory. Closed on drop.
///
/// The library allows one handle to be shared by many threads (searches and stats run
/// concurrently, updates are serialised), so `Index` is `Send + Sync`; callbacks run on
/// the thread that made the call.
pub struct Index {
    raw: NonNull<sys::codeidx>,
}

// SAFETY: codeidx.h documents a handle as shareable by many threads.
unsafe impl Send for Index {}
unsafe impl Sync for Index {}

impl Index {
    /// Opens the index of `root`, creating `<root>/.codeidx/` if needed.
    pub fn open<P: AsRef<Path>>(root: P) -> Result<Index> {
        Index::open_with(root, true)
    }

    /// Opens an existing index: a missing one gives [`ErrorKind::NoIndex`].
    pub fn open_existing<P: AsRef<Path>>(root: P) -> Result<Index> {
        Index::open_with(root, false)
    }

    fn open_with<P: AsRef<Path>>(root: P, create: bool) -> Result<Index> {
        let root = c_string(root.as_ref().as_os_str().as_bytes(), "root")?;
        let opts = sys::codeidx_open_options {
            version: sys::CODEIDX_OPEN_OPTIONS_VERSION,
            flags: if create { sys::CODEIDX_OPEN_CREATE } else { 0 },
        };
        let mut raw = ptr::null_mut();
        check(unsafe { sys::codeidx_open(&mut raw, root.as_ptr(), &opts) })?;
        NonNull::new(raw)
            .map(|raw| Index { raw })
            .ok_or_else(|| Error::with_detail(sys::CODEIDX_ERROR, "codeidx_open gave NULL".into()))
    }

    /// The raw handle, for calls the wrapper does not cover. Owned by `self`.
    pub fn as_raw(&self) -> *mut sys::codeidx {
        self.raw.as_ptr()
    }

    /// The absolute, canonical root directory.
    pub fn root(&self) -> PathBuf {
        unsafe { cstr_path(sys::codeidx_root(self.raw.as_ptr())) }
    }

    /// Brings the index up to date with the tree, without progress events.
    pub fn update(&self, opts: &UpdateOptions) -> Result<UpdateResult> {
        self.update_with_progress(opts, |_| ControlFlow::Continue(()))
    }

    /// Brings the index up to date, calling `progress` (on this thread) with an owned
    /// copy of each event. Returning `ControlFlow::Break(())` cancels: the library still
    /// delivers its last "cancelled" event, then this returns an error of kind
    /// [`ErrorKind::Cancelled`] and the previous generation stays live. A panic in
    /// `progress` cancels the same way and is resumed here.
    pub fn update_with_progress<F>(
        &self,
        opts: &UpdateOptions,
        mut progress: F,
    ) -> Result<UpdateResult>
    where
        F: FnMut(Progress) -> ControlFlow<()>,
    {
        let excludes = CStrings::new(&opts.excludes, "excludes")?;
        let mut ctx = ProgressCtx {
            f: &mut progress,
            panic: None,
        };
        let raw = sys::codeidx_update_options {
            flags: flag(opts.full, sys::CODEIDX_UPDATE_FULL)
                | flag(opts.no_ignore, sys::CODEIDX_UPDATE_NO_IGNORE)
                | flag(opts.background, sys::CODEIDX_UPDATE_BACKGROUND),
            threads: opts.threads,
            max_file_size: opts.max_file_size.unwrap_or(0),
            excludes: excludes.ptr(),
            n_excludes: opts.excludes.len(),
            progress: Some(progress_trampoline),
            progress_user: &mut ctx as *mut ProgressCtx<'_> as *mut c_void,
            progress_interval_ms: match opts.progress_interval {
                Some(iv) => iv.as_millis().min(u32::MAX as u128) as u32,
                None => sys::codeidx_update_options::default().progress_interval_ms,
            },
            ..Default::default()
        };
        let mut res = sys::codeidx_update_result::default();
        let rc = unsafe { sys::codeidx_update(self.raw.as_ptr(), &raw, &mut res) };
        let err = if rc < 0 { Some(Error::last(rc)) } else { None };
        if let Some(p) = ctx.panic.take() {
            panic::resume_unwind(p);
        }
        if let Some(e) = err {
            return Err(e);
        }
        Ok(UpdateResult {
            generation: res.generation,
            files_new: res.files_new,
            files_changed: res.files_changed,
            files_touched: res.files_touched,
            files_unchanged: res.files_unchanged,
            files_deleted: res.files_deleted,
            bytes_indexed: res.bytes_indexed,
            segments_written: res.segments_written,
            segments_merged: res.segments_merged,
            skipped: Skipped::from_raw(&res.skipped),
            elapsed: seconds(res.seconds),
        })
    }

    /// Searches the newest committed generation; returns every line, in path then line
    /// order. `pattern` is a PCRE2 regex matched per line on raw bytes (grep -P), or a
    /// fixed string with `literal`.
    pub fn search<P: AsRef<[u8]>>(&self, pattern: P, opts: &SearchOptions) -> Result<Vec<Match>> {
        let mut out = Vec::new();
        self.search_with(pattern, opts, |m| {
            out.push(m);
            ControlFlow::Continue(())
        })?;
        Ok(out)
    }

    /// Streams the lines of a search to `each` (on this thread, in order) without
    /// collecting them; `ControlFlow::Break(())` stops the search early (not an error).
    /// A panic in `each` stops the search and is resumed here.
    pub fn search_with<P, F>(
        &self,
        pattern: P,
        opts: &SearchOptions,
        mut each: F,
    ) -> Result<SearchSummary>
    where
        P: AsRef<[u8]>,
        F: FnMut(Match) -> ControlFlow<()>,
    {
        let pattern = pattern.as_ref();
        let globs = CStrings::new(&opts.globs, "globs")?;
        let langs = CStrings::new(&opts.languages, "languages")?;
        let raw = sys::codeidx_search_options {
            flags: flag(opts.literal, sys::CODEIDX_SEARCH_LITERAL)
                | flag(opts.ignore_case, sys::CODEIDX_SEARCH_IGNORE_CASE)
                | flag(opts.word, sys::CODEIDX_SEARCH_WORD),
            globs: globs.ptr(),
            n_globs: opts.globs.len(),
            languages: langs.ptr(),
            n_languages: opts.languages.len(),
            max_per_file: opts.max_count.unwrap_or(0),
            max_total: opts.max_total.unwrap_or(0),
            before: opts.before,
            after: opts.after,
            threads: opts.threads,
            ..Default::default()
        };
        let mut ctx = MatchCtx {
            f: &mut each,
            panic: None,
        };
        let mut res = sys::codeidx_search_result::default();
        let rc = unsafe {
            sys::codeidx_search(
                self.raw.as_ptr(),
                pattern.as_ptr() as *const c_char,
                pattern.len(),
                &raw,
                Some(match_trampoline),
                &mut ctx as *mut MatchCtx<'_> as *mut c_void,
                &mut res,
            )
        };
        let err = if rc < 0 { Some(Error::last(rc)) } else { None };
        if let Some(p) = ctx.panic.take() {
            panic::resume_unwind(p);
        }
        if let Some(e) = err {
            return Err(e);
        }
        Ok(SearchSummary {
            generation: res.generation,
            files_indexed: res.files_indexed,
            candidates: res.candidates,
            files_matched: res.files_matched,
            lines_matched: res.lines_matched,
            stopped: res.stopped != 0,
        })
    }

    /// The statistics as the text `codeidx status` prints (bytes: the root need not be
    /// UTF-8), from `codeidx_stats_format`.
    pub fn status_text(&self) -> Result<Vec<u8>> {
        let mut s = sys::codeidx_stats::default();
        check(unsafe { sys::codeidx_stats_get(self.raw.as_ptr(), &mut s) })?;
        let root = unsafe { sys::codeidx_root(self.raw.as_ptr()) };
        // SAFETY: `s` and `root` (owned by the handle) outlive both calls; the first only
        // measures (NULL, 0), the second writes at most `buf.len()` bytes.
        let n = unsafe { sys::codeidx_stats_format(&s, root, ptr::null_mut(), 0) };
        let mut buf = vec![0u8; n.max(0) as usize + 1];
        unsafe { sys::codeidx_stats_format(&s, root, buf.as_mut_ptr().cast(), buf.len()) };
        buf.truncate(n.max(0) as usize);
        Ok(buf)
    }

    /// Counts of the newest committed generation.
    pub fn stats(&self) -> Result<Stats> {
        let mut s = sys::codeidx_stats::default();
        check(unsafe { sys::codeidx_stats_get(self.raw.as_ptr(), &mut s) })?;
        Ok(Stats {
            generation: s.generation,
            files: s.files,
            bytes: s.bytes,
            segments: s.segments,
            deleted_docs: s.deleted_docs,
            index_bytes: s.index_bytes,
            trigrams: s.trigrams,
            skipped: Skipped::from_raw(&s.skipped),
        })
    }
}

impl Drop for Index {
    fn drop(&mut self) {
        // SAFETY: the handle is ours; `&mut self` proves no call is running on it.
        unsafe { sys::codeidx_close(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index").field("root", &self.root()).finish()
    }
}
