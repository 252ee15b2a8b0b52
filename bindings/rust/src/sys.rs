//! sys.rs - raw `extern "C"` declarations of include/codeidx.h (unsafe; use the safe wrapper).
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_uint, c_void};

pub const CODEIDX_OK: c_int = 0;
pub const CODEIDX_ERROR: c_int = -1;
pub const CODEIDX_EINVAL: c_int = -2;
pub const CODEIDX_ENOMEM: c_int = -3;
pub const CODEIDX_EIO: c_int = -4;
pub const CODEIDX_ENOINDEX: c_int = -5;
pub const CODEIDX_ECORRUPT: c_int = -6;
pub const CODEIDX_ELOCKED: c_int = -7;
pub const CODEIDX_ECANCELLED: c_int = -8;
pub const CODEIDX_EPATTERN: c_int = -9;
pub const CODEIDX_EVERSION: c_int = -10;
pub const CODEIDX_ELIMIT: c_int = -11;

pub const CODEIDX_OPEN_CREATE: c_uint = 0x1;
pub const CODEIDX_OPEN_OPTIONS_VERSION: c_uint = 1;

pub const CODEIDX_PHASE_SETUP: c_int = 0;
pub const CODEIDX_PHASE_HASH: c_int = 1;
pub const CODEIDX_PHASE_INDEX: c_int = 2;
pub const CODEIDX_PHASE_COMMIT: c_int = 3;
pub const CODEIDX_PHASE_DONE: c_int = 4;

pub const CODEIDX_FILE_QUEUED: c_int = 0;
pub const CODEIDX_FILE_STATING: c_int = 1;
pub const CODEIDX_FILE_HASHING: c_int = 2;
pub const CODEIDX_FILE_READING: c_int = 3;
pub const CODEIDX_FILE_INDEXING: c_int = 4;
pub const CODEIDX_FILE_DONE: c_int = 5;
pub const CODEIDX_FILE_FAILED: c_int = 6;

pub const CODEIDX_SKIP__COUNT: usize = 7;

pub const CODEIDX_UPDATE_FULL: c_uint = 0x1;
pub const CODEIDX_UPDATE_NO_IGNORE: c_uint = 0x2;
pub const CODEIDX_UPDATE_BACKGROUND: c_uint = 0x4;
pub const CODEIDX_UPDATE_OPTIONS_VERSION: c_uint = 1;
pub const CODEIDX_UPDATE_RESULT_VERSION: c_uint = 1;
pub const CODEIDX_DEFAULT_MAX_FILE_SIZE: u64 = 16 << 20;
pub const CODEIDX_STATS_VERSION: c_uint = 1;

pub const CODEIDX_SEARCH_LITERAL: c_uint = 0x1;
pub const CODEIDX_SEARCH_IGNORE_CASE: c_uint = 0x2;
pub const CODEIDX_SEARCH_WORD: c_uint = 0x4;
pub const CODEIDX_MAX_PATTERN: usize = 64 << 10;
pub const CODEIDX_MAX_CONTEXT: c_uint = 10000;
pub const CODEIDX_SEARCH_OPTIONS_VERSION: c_uint = 1;
pub const CODEIDX_SEARCH_RESULT_VERSION: c_uint = 1;

/// Opaque index handle.
#[repr(C)]
pub struct codeidx {
    _private: [u8; 0],
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_open_options {
    pub version: c_uint,
    pub flags: c_uint,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_concurrent_file {
    pub slot: c_uint,
    pub path: *const c_char,
    pub size: u64,
    pub status: c_int,
    pub seconds: f64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_progress {
    pub phase: c_int,
    pub current: u64,
    pub total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub files_per_second: f64,
    pub bytes_per_second: f64,
    pub active_threads: c_uint,
    pub threads: c_uint,
    pub elapsed_seconds: f64,
    pub eta_seconds: f64,
    pub message: *const c_char,
    pub files: *const codeidx_concurrent_file,
    pub n_files: usize,
}

pub type codeidx_progress_fn =
    Option<unsafe extern "C" fn(event: *const codeidx_progress, user: *mut c_void) -> c_int>;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_update_options {
    pub version: c_uint,
    pub flags: c_uint,
    pub threads: c_uint,
    pub max_file_size: u64,
    pub excludes: *const *const c_char,
    pub n_excludes: usize,
    pub progress: codeidx_progress_fn,
    pub progress_user: *mut c_void,
    pub progress_interval_ms: c_uint,
}

impl Default for codeidx_update_options {
    /// CODEIDX_UPDATE_OPTIONS_INIT
    fn default() -> Self {
        codeidx_update_options {
            version: CODEIDX_UPDATE_OPTIONS_VERSION,
            flags: 0,
            threads: 0,
            max_file_size: 0,
            excludes: std::ptr::null(),
            n_excludes: 0,
            progress: None,
            progress_user: std::ptr::null_mut(),
            progress_interval_ms: 100,
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_update_result {
    pub version: c_uint,
    pub generation: u64,
    pub files_new: u64,
    pub files_changed: u64,
    pub files_touched: u64,
    pub files_unchanged: u64,
    pub files_deleted: u64,
    pub bytes_indexed: u64,
    pub segments_written: u64,
    pub segments_merged: u64,
    pub skipped: [u64; CODEIDX_SKIP__COUNT],
    pub seconds: f64,
}

impl Default for codeidx_update_result {
    /// CODEIDX_UPDATE_RESULT_INIT
    fn default() -> Self {
        codeidx_update_result {
            version: CODEIDX_UPDATE_RESULT_VERSION,
            generation: 0,
            files_new: 0,
            files_changed: 0,
            files_touched: 0,
            files_unchanged: 0,
            files_deleted: 0,
            bytes_indexed: 0,
            segments_written: 0,
            segments_merged: 0,
            skipped: [0; CODEIDX_SKIP__COUNT],
            seconds: 0.0,
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_stats {
    pub version: c_uint,
    pub generation: u64,
    pub files: u64,
    pub bytes: u64,
    pub segments: u64,
    pub deleted_docs: u64,
    pub index_bytes: u64,
    pub trigrams: u64,
    pub skipped: [u64; CODEIDX_SKIP__COUNT],
}

impl Default for codeidx_stats {
    /// CODEIDX_STATS_INIT
    fn default() -> Self {
        codeidx_stats {
            version: CODEIDX_STATS_VERSION,
            generation: 0,
            files: 0,
            bytes: 0,
            segments: 0,
            deleted_docs: 0,
            index_bytes: 0,
            trigrams: 0,
            skipped: [0; CODEIDX_SKIP__COUNT],
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_search_options {
    pub version: c_uint,
    pub flags: c_uint,
    pub globs: *const *const c_char,
    pub n_globs: usize,
    pub languages: *const *const c_char,
    pub n_languages: usize,
    pub max_per_file: u64,
    pub max_total: u64,
    pub before: c_uint,
    pub after: c_uint,
    pub threads: c_uint,
}

impl Default for codeidx_search_options {
    /// CODEIDX_SEARCH_OPTIONS_INIT
    fn default() -> Self {
        codeidx_search_options {
            version: CODEIDX_SEARCH_OPTIONS_VERSION,
            flags: 0,
            globs: std::ptr::null(),
            n_globs: 0,
            languages: std::ptr::null(),
            n_languages: 0,
            max_per_file: 0,
            max_total: 0,
            before: 0,
            after: 0,
            threads: 0,
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_span {
    pub start: usize,
    pub end: usize,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_match {
    pub path: *const c_char,
    pub line: u64,
    pub column: u64,
    pub text: *const c_char,
    pub text_len: usize,
    pub spans: *const codeidx_span,
    pub n_spans: usize,
    pub is_context: c_int,
    pub file_start: c_int,
}

pub type codeidx_match_fn =
    Option<unsafe extern "C" fn(m: *const codeidx_match, user: *mut c_void) -> c_int>;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct codeidx_search_result {
    pub version: c_uint,
    pub generation: u64,
    pub files_indexed: u64,
    pub candidates: u64,
    pub files_matched: u64,
    pub lines_matched: u64,
    pub stopped: c_int,
}

impl Default for codeidx_search_result {
    /// CODEIDX_SEARCH_RESULT_INIT
    fn default() -> Self {
        codeidx_search_result {
            version: CODEIDX_SEARCH_RESULT_VERSION,
            generation: 0,
            files_indexed: 0,
            candidates: 0,
            files_matched: 0,
            lines_matched: 0,
            stopped: 0,
        }
    }
}

extern "C" {
    pub fn codeidx_version() -> *const c_char;
    pub fn codeidx_strerror(code: c_int) -> *const c_char;
    pub fn codeidx_error_detail() -> *const c_char;
    pub fn codeidx_open(
        out: *mut *mut codeidx,
        root: *const c_char,
        opts: *const codeidx_open_options,
    ) -> c_int;
    pub fn codeidx_close(idx: *mut codeidx);
    pub fn codeidx_root(idx: *const codeidx) -> *const c_char;
    pub fn codeidx_phase_name(phase: c_int) -> *const c_char;
    pub fn codeidx_file_status_name(status: c_int) -> *const c_char;
    pub fn codeidx_skip_reason_name(reason: c_int) -> *const c_char;
    pub fn codeidx_update(
        idx: *mut codeidx,
        opts: *const codeidx_update_options,
        result: *mut codeidx_update_result,
    ) -> c_int;
    pub fn codeidx_stats_get(idx: *mut codeidx, stats: *mut codeidx_stats) -> c_int;
    pub fn codeidx_stats_format(
        stats: *const codeidx_stats,
        root: *const c_char,
        buf: *mut c_char,
        cap: usize,
    ) -> c_int;
    pub fn codeidx_search(
        idx: *mut codeidx,
        pattern: *const c_char,
        pattern_len: usize,
        opts: *const codeidx_search_options,
        f: codeidx_match_fn,
        user: *mut c_void,
        result: *mut codeidx_search_result,
    ) -> c_int;
    pub fn codeidx_languages() -> *const *const c_char;
    pub fn codeidx_language_globs(name: *const c_char) -> *const *const c_char;
}
