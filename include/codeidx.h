/*
 * codeidx.h - public API of libcodeidx, an embeddable trigram code-search index.
 *
 * The header is the documentation. Conventions that hold for every function:
 *   - Fallible functions return an int: 0 (CODEIDX_OK) on success, a negative
 *     CODEIDX_E* code on failure. codeidx_strerror() names the code and
 *     codeidx_error_detail() gives a message with context (which file, which offset)
 *     for the last failing call made by the calling thread.
 *   - Option structs start with a `version` field; always initialise them with their
 *     *_INIT macro (or *_init function) so fields added later get their defaults.
 *   - A callback is never called if the call that takes it fails up front.
 *   - Strings handed to callbacks belong to the library and are valid only for the
 *     duration of that callback; copy what you keep.
 *   - Paths reported by the library are relative to the indexed root, '/'-separated,
 *     and are raw bytes (not necessarily valid UTF-8).
 */
#ifndef CODEIDX_H
#define CODEIDX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CODEIDX_BUILDING) && defined(__GNUC__)
#define CODEIDX_API __attribute__((visibility("default")))
#else
#define CODEIDX_API
#endif

#define CODEIDX_VERSION_MAJOR 0
#define CODEIDX_VERSION_MINOR 1
#define CODEIDX_VERSION_PATCH 0
#define CODEIDX_VERSION_STRING "0.1.0"

/* Returns the library's version string ("MAJOR.MINOR.PATCH"), static storage. */
CODEIDX_API const char *codeidx_version(void);

/* ---------------------------------------------------------------- errors ---- */

enum codeidx_error {
	CODEIDX_OK = 0,
	CODEIDX_ERROR = -1,      /* internal error (a bug; please report) */
	CODEIDX_EINVAL = -2,     /* invalid argument or option */
	CODEIDX_ENOMEM = -3,     /* out of memory */
	CODEIDX_EIO = -4,        /* a system call failed (detail names the file) */
	CODEIDX_ENOINDEX = -5,   /* no index at this root (open without CREATE) */
	CODEIDX_ECORRUPT = -6,   /* an index file is damaged or foreign */
	CODEIDX_ELOCKED = -7,    /* another writer holds the index lock */
	CODEIDX_ECANCELLED = -8, /* the progress callback asked to stop */
	CODEIDX_EPATTERN = -9,   /* the search pattern does not compile */
	CODEIDX_EVERSION = -10,  /* index written by an incompatible format version */
	CODEIDX_ELIMIT = -11,    /* a size or count limit was exceeded */
};

/* Returns a short static description of an error code ("index is locked"). */
CODEIDX_API const char *codeidx_strerror(int code);

/* Returns the detail message of the last error raised on the calling thread, or ""
 * if none. The string is thread-local and valid until the next library call on this
 * thread. */
CODEIDX_API const char *codeidx_error_detail(void);

/* ----------------------------------------------------------------- handle ---- */

/* An open index over one root directory. Opaque. A handle may be shared by many
 * threads: searches and stats run concurrently; updates are serialised. */
typedef struct codeidx codeidx;

#define CODEIDX_OPEN_CREATE 0x1u /* create <root>/.codeidx/ if it does not exist */

typedef struct codeidx_open_options {
	unsigned int version; /* CODEIDX_OPEN_OPTIONS_VERSION */
	unsigned int flags;   /* CODEIDX_OPEN_* */
} codeidx_open_options;

#define CODEIDX_OPEN_OPTIONS_VERSION 1
#define CODEIDX_OPEN_OPTIONS_INIT {.version = CODEIDX_OPEN_OPTIONS_VERSION}

/* Opens the index of the directory `root` into *out. `opts` may be NULL (defaults).
 * Without CODEIDX_OPEN_CREATE a missing index gives CODEIDX_ENOINDEX; an index
 * directory without a committed generation yet opens fine and is empty.
 * A damaged manifest or segment gives CODEIDX_ECORRUPT. On failure *out is NULL.
 * Free the handle with codeidx_close(). */
CODEIDX_API int codeidx_open(codeidx **out, const char *root,
			     const codeidx_open_options *opts);

/* Closes a handle and frees everything it owns, joining its search helper threads.
 * NULL is a no-op. No other call may be running on the handle. */
CODEIDX_API void codeidx_close(codeidx *idx);

/* Returns the absolute, canonical root path of the handle (owned by the handle). */
CODEIDX_API const char *codeidx_root(const codeidx *idx);

/* Finds the root a tool run in `start` should use: the nearest directory at or above
 * `start` (resolved with realpath()) that holds an index directory (.codeidx/), as git
 * finds .git. On success writes that directory's canonical path to buf (cap bytes,
 * NUL-terminated) and returns 0. Errors: CODEIDX_ENOINDEX (none up to "/"; buf is left
 * as it was), CODEIDX_EINVAL (start does not resolve), CODEIDX_ELIMIT (cap too small),
 * CODEIDX_EIO, CODEIDX_ENOMEM. Thread-safe. */
CODEIDX_API int codeidx_root_find(const char *start, char *buf, size_t cap);

/* --------------------------------------------------------------- progress ---- */

/* Phases of an update, in the order they run. */
typedef enum codeidx_phase {
	CODEIDX_PHASE_SETUP = 0, /* walking the tree, info messages (total == 0) */
	CODEIDX_PHASE_HASH = 1,  /* stat every candidate, hash the changed ones */
	CODEIDX_PHASE_INDEX = 2, /* read and extract trigrams of new/changed files */
	CODEIDX_PHASE_COMMIT = 3, /* write segment, merge, publish (info, total == 0) */
	CODEIDX_PHASE_DONE = 4,  /* the last event of a run */
} codeidx_phase;

/* What a worker slot is doing with its file. */
typedef enum codeidx_file_status {
	CODEIDX_FILE_QUEUED = 0,
	CODEIDX_FILE_STATING = 1,
	CODEIDX_FILE_HASHING = 2,
	CODEIDX_FILE_READING = 3,
	CODEIDX_FILE_INDEXING = 4,
	CODEIDX_FILE_DONE = 5,
	CODEIDX_FILE_FAILED = 6,
} codeidx_file_status;

/* A value copy of one busy worker slot, taken when the event was made. */
typedef struct codeidx_concurrent_file {
	unsigned int slot;          /* worker slot id, 0 .. threads-1 */
	const char *path;           /* relative to the root; owned by the event */
	uint64_t size;              /* bytes */
	codeidx_file_status status; /* what the slot is doing */
	double seconds;             /* since the slot started this file */
} codeidx_concurrent_file;

/* One progress event. Everything, including `files` and its strings, belongs to the
 * event and is valid only during the callback.
 *   total == 0   : a setup or info message (see `message`);
 *   phase HASH   : total = candidate files, current = files decided so far;
 *   phase INDEX  : total = files to (re)index, current = files finished;
 *   phase DONE   : the final event; current == total and n_files == 0 on success.
 * `files` is never NULL (n_files == 0 when nothing is active). */
typedef struct codeidx_progress {
	codeidx_phase phase;
	uint64_t current;            /* files finished in this phase */
	uint64_t total;              /* files in this phase; 0 = info message */
	uint64_t bytes_done;         /* bytes finished in this phase */
	uint64_t bytes_total;        /* bytes in this phase; 0 if unknown (hash) */
	double files_per_second;     /* sliding window of the last ~2 s */
	double bytes_per_second;     /* sliding window of the last ~2 s */
	unsigned int active_threads; /* busy slots right now (== n_files) */
	unsigned int threads;        /* configured worker threads */
	double elapsed_seconds;      /* since the update started */
	double eta_seconds;          /* of this phase; < 0 when unknown */
	const char *message;         /* human-readable info, never NULL ("" if none) */
	const codeidx_concurrent_file *files; /* never NULL */
	size_t n_files;
} codeidx_progress;

/* Called with each progress event. Return 0 to go on, non-zero to cancel the update.
 * Events come from one thread (the thread that called codeidx_update), in order,
 * never concurrently. Workers never wait for the callback: a slow callback delays the
 * display, not the indexing. After a non-zero return the callback is called exactly
 * once more, with the final event (message "cancelled", the files that were busy when
 * the cancel was seen); its return value is ignored. */
typedef int (*codeidx_progress_fn)(const codeidx_progress *event, void *user);

/* Return static lowercase names: phases "setup", "hash", "index", "commit", "done";
 * statuses "queued", "stating", "hashing", "reading", "indexing", "done", "failed". */
CODEIDX_API const char *codeidx_phase_name(codeidx_phase phase);
CODEIDX_API const char *codeidx_file_status_name(codeidx_file_status status);

/* Formats an event for a terminal `width` columns wide (at least 20), as lines ending
 * in '\n' written to buf (cap bytes, NUL-terminated):
 *   an info event (total == 0): one line, "[phase] message";
 *   otherwise: a status line "phase [#####.....] 42% 1234/5678 files 900 files/s
 *   12.3 MB/s 2 busy 0:03 ETA 0:04", then one line per concurrent file:
 *   "  <path shortened in the middle> <size> <status> <seconds>".
 * No line is wider than `width` bytes (paths are cut on bytes). The output depends
 * only on the event and the width, so a display fed by a daemon is identical to an
 * in-process one. Returns the number of lines, or CODEIDX_ELIMIT if cap is too small
 * (buf then holds as many whole lines as fit). */
CODEIDX_API int codeidx_progress_format(const codeidx_progress *event, unsigned width,
					char *buf, size_t cap);

/* ----------------------------------------------------------------- update ---- */

/* Why files the walk saw were left out of the index. */
typedef enum codeidx_skip_reason {
	CODEIDX_SKIP_IGNORED = 0,   /* .gitignore / .git/info/exclude rule */
	CODEIDX_SKIP_EXCLUDED = 1,  /* an `excludes` option pattern */
	CODEIDX_SKIP_BINARY = 2,    /* a NUL byte in the first 8 KiB */
	CODEIDX_SKIP_TOO_LARGE = 3, /* larger than max_file_size */
	CODEIDX_SKIP_SYMLINK = 4,   /* symbolic links are never followed */
	CODEIDX_SKIP_SPECIAL = 5,   /* fifo, socket, device */
	CODEIDX_SKIP_FAILED = 6,    /* unreadable, or vanished during the run */
	CODEIDX_SKIP__COUNT = 7,
} codeidx_skip_reason;

/* Returns a static name of a skip reason ("binary", "too-large", ...). */
CODEIDX_API const char *codeidx_skip_reason_name(codeidx_skip_reason reason);

#define CODEIDX_UPDATE_FULL 0x1u      /* rebuild from scratch, ignoring the old index */
#define CODEIDX_UPDATE_NO_IGNORE 0x2u /* read no .gitignore files (ripgrep's --no-ignore) */
/* Background update: the threads it starts (hash, index and merge workers) run at the
 * lowest CPU priority (nice 19), so the update takes only CPU time nothing else on
 * the machine wants. The thread that called codeidx_update() keeps its priority, and
 * so do its progress events (it also does part of the merge). On an
 * idle machine the update is as fast; on a busy one it waits. A daemon runs every
 * update this way (see codeidx_daemon.h). */
#define CODEIDX_UPDATE_BACKGROUND 0x4u

/* Which files an update indexes: every regular file under the root except the
 * directories .git and .codeidx, symbolic links (never followed), binary files (a NUL
 * byte in the first 8 KiB) and files over max_file_size. When the root lies inside a
 * git work tree (it or a parent directory holds .git), .gitignore files and
 * .git/info/exclude apply with git's semantics, as in ripgrep; outside one they do not
 * (a tarball's .gitignore describes a build, not what to search). `excludes` always
 * apply and have the last word (a "!pattern" re-includes). */

typedef struct codeidx_update_options {
	unsigned int version;       /* CODEIDX_UPDATE_OPTIONS_VERSION */
	unsigned int flags;         /* CODEIDX_UPDATE_* */
	unsigned int threads;       /* worker threads; 0 = online CPUs */
	uint64_t max_file_size;     /* larger files are skipped; 0 = default (16 MiB) */
	const char *const *excludes; /* extra gitignore-style patterns, may be NULL */
	size_t n_excludes;
	codeidx_progress_fn progress; /* may be NULL */
	void *progress_user;
	unsigned int progress_interval_ms; /* throttle; 0 = one event per finished file */
} codeidx_update_options;

#define CODEIDX_UPDATE_OPTIONS_VERSION 1
#define CODEIDX_DEFAULT_MAX_FILE_SIZE (16u << 20)
#define CODEIDX_UPDATE_OPTIONS_INIT \
	{.version = CODEIDX_UPDATE_OPTIONS_VERSION, .progress_interval_ms = 100}

/* What one update did. */
typedef struct codeidx_update_result {
	unsigned int version;     /* CODEIDX_UPDATE_RESULT_VERSION */
	uint64_t generation;      /* the generation now live; it also moves when only
				   * recorded stat data changed (files_touched) */
	uint64_t files_new;       /* indexed for the first time */
	uint64_t files_changed;   /* content changed: re-indexed */
	uint64_t files_touched;   /* metadata changed, same content: not re-indexed */
	uint64_t files_unchanged; /* decided by size, mtime and inode alone */
	uint64_t files_deleted;   /* gone, renamed away, or now skipped */
	uint64_t bytes_indexed;   /* content bytes read in the index phase */
	uint64_t segments_written; /* 0 when nothing changed */
	uint64_t segments_merged;  /* segments folded into one by the merge policy */
	uint64_t skipped[CODEIDX_SKIP__COUNT];
	double seconds;
} codeidx_update_result;

#define CODEIDX_UPDATE_RESULT_VERSION 1
#define CODEIDX_UPDATE_RESULT_INIT {.version = CODEIDX_UPDATE_RESULT_VERSION}

/* Brings the index up to date with the tree: walk, hash phase, index phase, commit.
 * `opts` may be NULL (defaults); `result` may be NULL, and is filled only on success.
 * Only one writer at a time: another process or handle updating the same root gives
 * CODEIDX_ELOCKED at once. A cancelled run returns CODEIDX_ECANCELLED and leaves the
 * previous generation live and untouched. Unreadable or vanishing files are counted
 * (CODEIDX_SKIP_FAILED), never fatal. Searches on this and other handles keep working
 * during the update and see the previous generation until the new one is published.
 * The progress callback runs on the calling thread. */
CODEIDX_API int codeidx_update(codeidx *idx, const codeidx_update_options *opts,
			       codeidx_update_result *result);

/* ------------------------------------------------------------------ stats ---- */

typedef struct codeidx_stats {
	unsigned int version;  /* CODEIDX_STATS_VERSION */
	uint64_t generation;   /* 0 = nothing committed yet */
	uint64_t files;        /* live documents */
	uint64_t bytes;        /* their content size */
	uint64_t segments;
	uint64_t deleted_docs; /* dead documents still held by segments */
	uint64_t index_bytes;  /* on-disk size of the live index files */
	uint64_t trigrams;     /* distinct trigrams summed over segments */
	uint64_t skipped[CODEIDX_SKIP__COUNT]; /* as counted by the last update */
} codeidx_stats;

#define CODEIDX_STATS_VERSION 1
#define CODEIDX_STATS_INIT {.version = CODEIDX_STATS_VERSION}

/* Fills *stats from the newest committed generation. Thread-safe. */
CODEIDX_API int codeidx_stats_get(codeidx *idx, codeidx_stats *stats);

/* Writes *stats as the text `codeidx status` prints: "root        <root>\n" (a NULL
 * root prints as empty), then one "name  value" line for each field and one
 * "skipped <reason> <count>" line per skip reason, into buf (cap bytes, NUL-terminated;
 * buf may be NULL when cap is 0). Returns the length of the whole text, as snprintf
 * does (the text was cut if that is >= cap), or a negative value if formatting failed. */
CODEIDX_API int codeidx_stats_format(const codeidx_stats *stats, const char *root, char *buf,
				     size_t cap);

/* ----------------------------------------------------------------- search ---- */

#define CODEIDX_SEARCH_LITERAL 0x1u     /* the pattern is a fixed string (grep -F) */
#define CODEIDX_SEARCH_IGNORE_CASE 0x2u /* ASCII case-insensitive (grep -i) */
#define CODEIDX_SEARCH_WORD 0x4u        /* whole words only (grep -w) */

/* Hard limits: a longer pattern or larger context gives CODEIDX_ELIMIT. */
#define CODEIDX_MAX_PATTERN (64u << 10)
#define CODEIDX_MAX_CONTEXT 10000u

typedef struct codeidx_search_options {
	unsigned int version; /* CODEIDX_SEARCH_OPTIONS_VERSION */
	unsigned int flags;   /* CODEIDX_SEARCH_* */
	/* Path globs, gitignore-style, matched against the path relative to the root;
	 * a leading '!' excludes. A file is searched if it matches some include glob (or
	 * there are none) and no exclude glob (ripgrep's -g). */
	const char *const *globs;
	size_t n_globs;
	/* Language names ("c", "py", "rust", ... see codeidx_languages()); a file is
	 * searched if its name fits one of them (or none are given). */
	const char *const *languages;
	size_t n_languages;
	uint64_t max_per_file; /* stop a file after this many matching lines (grep -m); 0 = all */
	uint64_t max_total;    /* stop the search after this many matching lines; 0 = all */
	unsigned int before;   /* context lines before each match (grep -B) */
	unsigned int after;    /* context lines after each match (grep -A) */
	unsigned int threads;  /* verification threads, the caller's included; 0 = online
				* CPUs (up to 64). The others are the handle's helpers, so
				* at most 65 count; more than 1024 is CODEIDX_EINVAL */
} codeidx_search_options;

#define CODEIDX_SEARCH_OPTIONS_VERSION 1
#define CODEIDX_SEARCH_OPTIONS_INIT {.version = CODEIDX_SEARCH_OPTIONS_VERSION}

/* A byte range [start, end) of a match within a line's text. */
typedef struct codeidx_span {
	size_t start;
	size_t end;
} codeidx_span;

/* One line of output: a matching line, or a context line (n_spans == 0). */
typedef struct codeidx_match {
	const char *path;   /* relative to the root, NUL-terminated */
	uint64_t line;      /* 1-based */
	uint64_t column;    /* 1-based byte column of the first match; 0 on context lines */
	const char *text;   /* the line, without its '\n' (may hold NUL bytes) */
	size_t text_len;
	const codeidx_span *spans; /* every match on the line, ascending */
	size_t n_spans;
	int is_context;     /* 1 for a context line */
	int file_start;     /* 1 on the first line reported for this file */
} codeidx_match;

/* Called with each line, in path order (bytewise), then line order. Return 0 to go
 * on, non-zero to stop the search (codeidx_search then returns 0). Called on the
 * thread that called codeidx_search, never concurrently; everything in `m` is valid
 * only during the call. */
typedef int (*codeidx_match_fn)(const codeidx_match *m, void *user);

typedef struct codeidx_search_result {
	unsigned int version;   /* CODEIDX_SEARCH_RESULT_VERSION */
	uint64_t generation;    /* the generation searched */
	uint64_t files_indexed; /* live files in that generation */
	uint64_t candidates;    /* files the trigram plan left to verify */
	uint64_t files_matched;
	uint64_t lines_matched;
	int stopped;            /* the callback or max_total ended the search early */
} codeidx_search_result;

#define CODEIDX_SEARCH_RESULT_VERSION 1
#define CODEIDX_SEARCH_RESULT_INIT {.version = CODEIDX_SEARCH_RESULT_VERSION}

/* Searches the newest committed generation for `pattern` (pattern_len bytes; may hold
 * NUL). Regexes use PCRE2 syntax, matched per line on raw bytes like `grep -P` in the
 * C locale; CODEIDX_SEARCH_LITERAL makes it a fixed string where '\n' separates
 * alternatives, as in grep -F. Files are read from disk: the answer is exact for the
 * content as indexed; run codeidx_update first if the tree changed. A file of 32 KiB
 * or more that is unchanged since indexing (size, mtime, inode) is read only in the
 * parts whose block summaries pass the pattern's trigrams, when no context lines are
 * asked and no match can span over 256 bytes (else it is read whole). A file the index
 * holds is searched as text even if it has NUL bytes past its first 8 KiB (grep -a).
 * Errors: CODEIDX_EPATTERN with PCRE2's message and offset in the detail,
 * CODEIDX_ELIMIT, CODEIDX_EINVAL; a file that vanished since indexing is skipped.
 * Thread-safe: any number of searches may run at once on one handle, alongside an
 * update; each sees one consistent generation. `result` may be NULL.
 * Memory: a search holds a bounded window of files being verified; the handle keeps
 * buffers between searches (32 files' worth of at most 1 MiB of content each, and 8
 * PCRE2 scratch sets: about 80 MiB at worst, a few MiB in practice), freed by
 * codeidx_close().
 * Threads: a search with more than 32 candidates verifies on the calling thread and
 * on helper threads of the handle, started on first need and parked between searches
 * until codeidx_close(): a handle keeps at most 64. Helpers never run the
 * application's signal handlers (they block every signal but those a fault raises:
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS). A search takes the helpers that
 * are idle, starting more up to the 64, and never waits for one that serves another
 * search. In a child after fork() a handle opened before the fork searches on the
 * calling thread alone (open one in the child for helpers); as with any library
 * holding locks, fork only while no other thread uses the handle. */
CODEIDX_API int codeidx_search(codeidx *idx, const char *pattern, size_t pattern_len,
			       const codeidx_search_options *opts, codeidx_match_fn fn,
			       void *user, codeidx_search_result *result);

/* The languages known to the `languages` option: a NULL-terminated array of names;
 * codeidx_language_globs(name) gives the file name globs of one ("*.c", "*.h", ...)
 * as a NULL-terminated array, or NULL for an unknown name. Static storage. */
CODEIDX_API const char *const *codeidx_languages(void);
CODEIDX_API const char *const *codeidx_language_globs(const char *name);

/* ------------------------------------------------------- grep-style output ---- */

#define CODEIDX_PRINT_COLOR 0x1u  /* color paths, line numbers and matches as ripgrep does */
#define CODEIDX_PRINT_COUNT 0x2u  /* only "path:count" per file with matching lines (grep -c) */
#define CODEIDX_PRINT_FILES 0x4u  /* only the path of each file with a matching line (grep -l) */
#define CODEIDX_PRINT_GROUPS 0x8u /* "--" between groups of lines that are not adjacent, as
				   * grep prints when context lines are asked for */

/* Prints the lines of a search as `grep -Hn` does: "path:line:text" for a matching line,
 * "path-line-text" for a context line, each ending in '\n', text bytes unchanged. A
 * tool passes codeidx_printer_match as the search's callback and the printer as its
 * `user`. Output is buffered; nothing but the printer may write to the fd meanwhile.
 * Opaque; use from one thread at a time. */
typedef struct codeidx_printer codeidx_printer;

/* Creates a printer that writes to the file descriptor `fd` (CODEIDX_PRINT_* flags).
 * Errors: CODEIDX_EINVAL, CODEIDX_ENOMEM. */
CODEIDX_API int codeidx_printer_new(codeidx_printer **out, int fd, unsigned flags);
/* A codeidx_match_fn: prints `m` through `printer`. Returns non-zero (which stops the
 * search) once a write has failed, for example on a closed pipe. */
CODEIDX_API int codeidx_printer_match(const codeidx_match *m, void *printer);
/* Prints what is still pending (the last file's count), writes out the buffer and
 * frees the printer. Returns 0, or CODEIDX_EIO if a write failed (the detail names the
 * error). NULL is a no-op. */
CODEIDX_API int codeidx_printer_finish(codeidx_printer *p);

#ifdef __cplusplus
}
#endif
#endif /* CODEIDX_H */
