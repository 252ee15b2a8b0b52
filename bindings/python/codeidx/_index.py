"""_index.py - the Index handle: open, update with progress, streaming search, stats, close."""
import atexit
import bisect
import collections
import ctypes
import itertools
import os
import queue
import threading
import weakref
from typing import NamedTuple

from . import _native
from ._errors import InvalidArgument, check, from_code


def _text(raw):
    return raw.decode("utf-8", "surrogateescape")


# ------------------------------------------------------------------ value types ----

class ConcurrentFile(NamedTuple):
    """What one busy worker slot was doing when a progress event was made (a copy)."""
    slot: int       # worker slot id, 0 .. threads-1
    path: str       # relative to the root (os.fsdecode: undecodable bytes as surrogates)
    size: int       # bytes
    status: str     # "queued", "stating", "hashing", "reading", "indexing", "done", "failed"
    elapsed: float  # seconds since the slot started this file


class Progress(NamedTuple):
    """One progress event of Index.update(), copied out of the library's event."""
    phase: str                 # "setup", "hash", "index", "commit", "done"
    current: int               # files finished in this phase
    total: int                 # files in this phase; 0 = an info message
    bytes_done: int
    bytes_total: int           # 0 if unknown
    files_per_second: float
    bytes_per_second: float
    active_threads: int        # busy slots right now
    threads: int               # configured worker threads
    elapsed: float             # seconds since the update started
    eta: object                # seconds left in this phase (float), or None if unknown
    message: str               # "" if none
    concurrent_files: list     # of ConcurrentFile


class UpdateResult(NamedTuple):
    """What one Index.update() did."""
    generation: int
    files_new: int
    files_changed: int
    files_touched: int
    files_unchanged: int
    files_deleted: int
    bytes_indexed: int
    segments_written: int
    segments_merged: int
    skipped: dict              # skip reason name ("binary", "too-large", ...) -> count
    seconds: float


class Stats(NamedTuple):
    """Index.stats(): the newest committed generation."""
    generation: int            # 0 = nothing committed yet
    files: int
    bytes: int
    segments: int
    deleted_docs: int
    index_bytes: int
    trigrams: int
    skipped: dict              # as counted by the last update


class SearchSummary(NamedTuple):
    """SearchIterator.summary once the search has finished."""
    generation: int
    files_indexed: int
    candidates: int
    files_matched: int
    lines_matched: int
    stopped: bool


class Match:
    """One line of search output: a matching line, or a context line (is_context).

    path, text   str, decoded as UTF-8 with surrogateescape, so undecodable bytes survive:
                 os.fsencode(path) and text.encode("utf-8", "surrogateescape") give the
                 exact bytes back (also available as raw_path and raw_text).
    line         1-based line number.
    column       1-based BYTE column of the first match (as grep/ripgrep); 0 on context.
    spans        [(start, end)] indices into `text` (str) of every match on the line; a
                 bound inside a multi-byte character widens to the whole character.
    byte_spans   the same as byte offsets into raw_text, exactly as the library gave them.
    """
    __slots__ = ("raw_path", "line", "column", "raw_text", "byte_spans", "is_context",
                 "file_start", "_path", "_text", "_spans")

    def __init__(self, raw_path, line, column, raw_text, byte_spans, is_context=False,
                 file_start=False):
        self.raw_path = raw_path
        self.line = line
        self.column = column
        self.raw_text = raw_text
        self.byte_spans = byte_spans
        self.is_context = is_context
        self.file_start = file_start
        self._path = self._text = self._spans = None

    @property
    def path(self):
        if self._path is None:
            self._path = os.fsdecode(self.raw_path)
        return self._path

    @property
    def text(self):
        if self._text is None:
            self._text = _text(self.raw_text)
        return self._text

    @property
    def spans(self):
        if self._spans is None:
            self._spans = _char_spans(self.raw_text, self.text, self.byte_spans)
        return self._spans

    def _key(self):
        return (self.raw_path, self.line, self.column, self.raw_text, self.byte_spans,
                self.is_context)

    def __eq__(self, other):
        return isinstance(other, Match) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "Match(path=%r, line=%d, column=%d, text=%r, spans=%r%s)" % (
            self.path, self.line, self.column, self.text, self.spans,
            ", is_context=True" if self.is_context else "")


def _char_spans(raw, text, byte_spans):
    """Byte offsets into `raw` -> indices into `text` (its surrogateescape decoding)."""
    if len(raw) == len(text):  # one byte per character (ASCII, or only escaped bytes)
        return list(byte_spans)
    starts = []  # byte offset at which each character starts
    at = 0
    for ch in text:
        starts.append(at)
        at += len(ch.encode("utf-8", "surrogateescape"))
    out = []
    for s, e in byte_spans:
        cs = bisect.bisect_right(starts, s) - 1  # round a start down to its character
        ce = bisect.bisect_left(starts, e)       # round an end up past its character
        out.append((max(cs, 0), ce))
    return out


def _progress_from(ev):
    files = []
    n = ev.n_files
    if n:
        arr = ev.files
        names = _native.FILE_STATUS_NAMES
        for i in range(n):
            f = arr[i]
            st = f.status
            files.append(ConcurrentFile(
                f.slot, os.fsdecode(ctypes.string_at(f.path)) if f.path else "", f.size,
                names[st] if 0 <= st < len(names) else str(st), f.seconds))
    ph = ev.phase
    return Progress(
        _native.PHASE_NAMES[ph] if 0 <= ph < len(_native.PHASE_NAMES) else str(ph),
        ev.current, ev.total, ev.bytes_done, ev.bytes_total, ev.files_per_second,
        ev.bytes_per_second, ev.active_threads, ev.threads, ev.elapsed_seconds,
        ev.eta_seconds if ev.eta_seconds >= 0 else None,
        _text(ctypes.string_at(ev.message)) if ev.message else "", files)


def _skipped(arr):
    return {name: arr[i] for i, name in enumerate(_native.SKIP_NAMES)}


# --------------------------------------------------------------- C callbacks ----
# Two module-level trampolines serve every call: the `user` pointer is a key into
# _calls, so no ctypes closure is ever made per call (nothing to keep alive or leak).
# A Python exception never crosses into C: it is stored and the callback returns 1
# (stop); the caller re-raises it after the C call returns.

_calls = {}
_call_ids = itertools.count(1)


def _register(state):
    key = next(_call_ids)
    _calls[key] = state
    return key


@_native.PROGRESS_FN
def _progress_trampoline(ev_ptr, user):
    st = _calls.get(user)
    if st is None:
        return 1
    try:
        if st.exc is not None:  # it raised: never call it again (the C side still
            return 1            # sends a final "cancelled" event)
        if st.fn is None:
            return 0
        if st.fn(_progress_from(ev_ptr.contents)):
            st.cancelled = True
            return 1
        return 0
    except BaseException as e:  # includes KeyboardInterrupt: Ctrl-C cancels cleanly
        st.exc = e
        return 1


@_native.MATCH_FN
def _match_trampoline(m_ptr, user):
    st = _calls.get(user)
    if st is None or st.stop:
        return 1
    try:
        m = m_ptr.contents
        spans = tuple((m.spans[i].start, m.spans[i].end) for i in range(m.n_spans))
        st.batch.append(Match(ctypes.string_at(m.path), m.line, m.column,
                              ctypes.string_at(m.text, m.text_len) if m.text_len else b"",
                              spans, bool(m.is_context), bool(m.file_start)))
        if len(st.batch) >= st.batch_size:
            return 0 if st.flush() else 1
        return 0
    except BaseException as e:
        st.exc = e
        return 1


class _ProgressCall:
    __slots__ = ("fn", "exc", "cancelled")

    def __init__(self, fn):
        self.fn, self.exc, self.cancelled = fn, None, False


# ------------------------------------------------------------------- search ----

_DONE = object()
_live_searches = weakref.WeakSet()


@atexit.register
def _stop_all_searches():
    for call in list(_live_searches):
        call.cancel()


class _SearchCall:
    """One codeidx_search running on a worker thread, feeding batches into a queue."""

    def __init__(self, index, pattern, opts, keep):
        self.index = index
        self.pattern = pattern
        self.opts = opts
        self.keep = keep  # ctypes arrays the options point into
        self.queue = queue.Queue(maxsize=8)
        self.stop = False
        self.batch = []
        self.batch_size = 16  # small first batch: the first matches come quickly
        self.exc = None
        self.error = None
        self.result = _native.SearchResult(version=_native.SEARCH_RESULT_VERSION)
        self.thread = threading.Thread(target=self._run, name="codeidx-search", daemon=True)

    def start(self):
        _live_searches.add(self)
        self.thread.start()

    def _put(self, item):
        while not self.stop:
            try:
                self.queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                pass
        return False

    def flush(self):
        """Hands the current batch to the consumer; False if the consumer went away."""
        batch, self.batch = self.batch, []
        self.batch_size = min(self.batch_size * 4, 1024)
        return self._put(batch)

    def _run(self):
        key = _register(self)
        try:
            rc = _native.search(self.index._handle, self.pattern, len(self.pattern),
                                ctypes.byref(self.opts), _match_trampoline, key,
                                ctypes.byref(self.result))
            if rc < 0:
                self.error = from_code(rc)  # on this thread: the detail is thread-local
        except BaseException as e:
            self.error = e
        finally:
            _calls.pop(key, None)
            self.index._leave()
            if self.exc is not None:
                self.error = self.exc
            if self.batch and self.error is None:
                self.flush()
            self._put(_DONE)

    def _drain(self):
        try:
            while True:
                self.queue.get_nowait()
        except queue.Empty:
            pass

    def cancel(self, reason=None):
        """Stops the search and waits for its thread (safe to call more than once).
        A consumer still reading gets `reason` (an exception) raised, or the end."""
        self.stop = True
        if reason is not None and self.error is None:
            self.error = reason
        self._drain()  # wake a producer blocked on a full queue
        if self.thread is threading.current_thread():
            return
        if self.thread.is_alive():
            self.thread.join()
        self._drain()
        self.queue.put_nowait(_DONE)  # the thread is gone: tell a waiting consumer
        _live_searches.discard(self)


class SearchIterator:
    """The matches of one Index.search(), streamed as the library finds them.

    Iterate it (or list() it) to get Match objects in path, then line order. Pattern
    and option errors are raised by Index.search() itself; errors found later are
    raised by the iteration. `summary` (a SearchSummary) is set once the iteration has
    finished. Breaking out of the loop early is fine: close() (or the garbage
    collector, or the `with` statement) stops the search.
    """

    def __init__(self, call):
        self._call = call
        self._buf = collections.deque()
        self._done = False
        self.summary = None
        self._fill()  # wait for the first batch so that setup errors raise now

    def _fill(self):
        item = self._call.queue.get()
        if item is _DONE:
            self._finish()
        else:
            self._buf.extend(item)

    def _finish(self):
        self._done = True
        call = self._call
        call.cancel()  # joins the finished thread
        if call.error is not None:
            raise call.error
        r = call.result
        self.summary = SearchSummary(r.generation, r.files_indexed, r.candidates,
                                     r.files_matched, r.lines_matched, bool(r.stopped))

    def __iter__(self):
        return self

    def __next__(self):
        while not self._buf:
            if self._done:
                raise StopIteration
            self._fill()
        return self._buf.popleft()

    def close(self):
        """Stops the search if it is still running and drops buffered matches."""
        if not self._done:
            self._done = True
            self._call.cancel()
        self._buf.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


# -------------------------------------------------------------------- index ----

def _c_strings(items, what):
    """An iterable of str/bytes -> (ctypes char* array or None, count, keepalive)."""
    enc = []
    for it in items:
        if isinstance(it, str):
            it = it.encode("utf-8", "surrogateescape")
        elif not isinstance(it, (bytes, bytearray)):
            raise TypeError("%s must be str or bytes, not %s" % (what, type(it).__name__))
        if b"\0" in it:
            raise InvalidArgument(-2, "%s must not contain NUL" % what)
        enc.append(bytes(it))
    if not enc:
        return None, 0, None
    arr = (ctypes.c_char_p * len(enc))(*enc)
    return arr, len(enc), arr


def _count(value, what, default=0, limit=(1 << 64) - 1):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be an int" % what)
    if value < 0 or value > limit:
        raise InvalidArgument(-2, "%s out of range: %d" % (what, value))
    return value


class Index:
    """An open libcodeidx index over one directory tree.

    Index(root, create=True) opens <root>/.codeidx/, creating it if `create` is true
    (else a missing index raises NoIndex). Use it as a context manager, or call close().
    A handle may be used from several threads: searches and stats run concurrently,
    updates are serialised by the library. close() stops running searches and waits for
    calls in progress.
    """

    def __init__(self, root, create=True):
        self._handle = None
        self._lock = threading.Condition(threading.RLock())
        self._busy = 0
        self._closed = False
        self._searches = weakref.WeakSet()
        opts = _native.OpenOptions(version=_native.OPEN_OPTIONS_VERSION,
                                   flags=_native.OPEN_CREATE if create else 0)
        handle = _native.HANDLE()
        check(_native.open_(ctypes.byref(handle), os.fsencode(root), ctypes.byref(opts)))
        self._handle = handle.value

    # -- lifetime --

    def _enter(self):
        with self._lock:
            if self._closed or not self._handle:
                raise ValueError("operation on a closed codeidx.Index")
            self._busy += 1

    def _leave(self):
        with self._lock:
            self._busy -= 1
            self._lock.notify_all()

    def close(self):
        """Closes the handle (idempotent). Running searches are stopped first."""
        with self._lock:
            if self._closed or not self._handle:
                self._closed = True
                return
            self._closed = True
            searches = list(self._searches)
        for call in searches:
            call.cancel(ValueError("codeidx.Index closed during the search"))
        with self._lock:
            while self._busy:
                self._lock.wait()
            handle, self._handle = self._handle, None
        _native.close(handle)

    @property
    def closed(self):
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @property
    def root(self):
        """The absolute, canonical root directory (str, os.fsdecode'd)."""
        self._enter()
        try:
            return os.fsdecode(_native.root(self._handle))
        finally:
            self._leave()

    # -- update --

    def update(self, threads=None, progress=None, full=False, *, no_ignore=False,
               excludes=(), max_file_size=None, progress_interval=None, background=False):
        """Brings the index up to date with the tree; returns an UpdateResult.

        threads            worker threads (None = online CPUs)
        progress           callable(Progress) run on this thread for each event;
                           returning a true value cancels the update (raises
                           Cancelled, the previous generation stays live). An exception
                           it raises cancels the update and is re-raised here.
        full               rebuild from scratch
        no_ignore          read no .gitignore files
        background         worker threads at the lowest CPU priority (nice 19)
        excludes           extra gitignore-style patterns ("!x" re-includes)
        max_file_size      bytes; larger files are skipped (None = library default)
        progress_interval  seconds between events (None = library default, 0 = one
                           event per finished file)
        """
        opts = _native.UpdateOptions(version=_native.UPDATE_OPTIONS_VERSION)
        opts.progress_interval_ms = 100
        opts.flags = (_native.UPDATE_FULL if full else 0) | \
            (_native.UPDATE_NO_IGNORE if no_ignore else 0) | \
            (_native.UPDATE_BACKGROUND if background else 0)
        opts.threads = _count(threads, "threads", limit=(1 << 32) - 1)
        opts.max_file_size = _count(max_file_size, "max_file_size")
        arr, n, keep = _c_strings(excludes, "excludes")
        opts.excludes, opts.n_excludes = arr, n
        if progress_interval is not None:
            if progress_interval < 0:
                raise InvalidArgument(-2, "progress_interval must be >= 0")
            opts.progress_interval_ms = int(progress_interval * 1000)
        if progress is not None and not callable(progress):
            raise TypeError("progress must be callable")
        # The trampoline is installed even without a callable, so that Ctrl-C
        # (KeyboardInterrupt, delivered when Python code next runs) cancels the update.
        state = _ProgressCall(progress)
        key = _register(state)
        opts.progress = _progress_trampoline
        opts.progress_user = key
        res = _native.UpdateResult(version=_native.UPDATE_RESULT_VERSION)
        self._enter()
        try:
            rc = _native.update(self._handle, ctypes.byref(opts), ctypes.byref(res))
            err = from_code(rc) if rc < 0 else None
        finally:
            self._leave()
            _calls.pop(key, None)
        del keep
        if state.exc is not None:
            raise state.exc
        if err is not None:
            raise err  # Cancelled when the callable returned a true value
        return UpdateResult(res.generation, res.files_new, res.files_changed,
                            res.files_touched, res.files_unchanged, res.files_deleted,
                            res.bytes_indexed, res.segments_written, res.segments_merged,
                            _skipped(res.skipped), res.seconds)

    # -- search --

    def search(self, pattern, literal=False, ignore_case=False, word=False, globs=(),
               max_count=None, context=0, *, before=None, after=None, languages=(),
               max_total=None, threads=None):
        """Searches the newest committed generation; returns a SearchIterator of Match.

        pattern      str or bytes: a PCRE2 regex matched per line on raw bytes like
                     grep -P, or with literal=True a fixed string ('\\n' separates
                     alternatives, as grep -F)
        ignore_case  ASCII case-insensitive (grep -i); word: whole words (grep -w)
        globs        gitignore-style path globs; "!glob" excludes (ripgrep -g)
        max_count    at most this many matching lines per file (grep -m)
        context      lines of context before and after (grep -C); before/after
                     override each side (grep -B/-A). Context lines come as Match
                     objects with is_context=True.
        languages    language names (see codeidx.languages())
        max_total    stop after this many matching lines overall
        threads      verification threads (None = online CPUs)
        Raises PatternError, LimitError, InvalidArgument at once.
        """
        if isinstance(pattern, str):
            pattern = pattern.encode("utf-8", "surrogateescape")
        elif isinstance(pattern, (bytearray, memoryview)):
            pattern = bytes(pattern)
        elif not isinstance(pattern, bytes):
            raise TypeError("pattern must be str or bytes")
        if isinstance(globs, (str, bytes)):
            globs = (globs,)
        if isinstance(languages, (str, bytes)):
            languages = (languages,)
        opts = _native.SearchOptions(version=_native.SEARCH_OPTIONS_VERSION)
        opts.flags = (_native.SEARCH_LITERAL if literal else 0) | \
            (_native.SEARCH_IGNORE_CASE if ignore_case else 0) | \
            (_native.SEARCH_WORD if word else 0)
        garr, ng, gkeep = _c_strings(globs, "globs")
        larr, nl, lkeep = _c_strings(languages, "languages")
        opts.globs, opts.n_globs = garr, ng
        opts.languages, opts.n_languages = larr, nl
        opts.max_per_file = _count(max_count, "max_count")
        opts.max_total = _count(max_total, "max_total")
        u32 = (1 << 32) - 1
        ctx = _count(context, "context", limit=u32)
        opts.before = _count(before, "before", ctx, limit=u32)
        opts.after = _count(after, "after", ctx, limit=u32)
        opts.threads = _count(threads, "threads", limit=u32)
        self._enter()
        try:
            call = _SearchCall(self, pattern, opts, (gkeep, lkeep))
            with self._lock:
                self._searches.add(call)
            call.start()
        except BaseException:
            self._leave()
            raise
        return SearchIterator(call)

    # -- stats --

    def _native_stats(self):
        st = _native.Stats(version=_native.STATS_VERSION)
        self._enter()
        try:
            check(_native.stats_get(self._handle, ctypes.byref(st)))
        finally:
            self._leave()
        return st

    def stats(self):
        """Counts of the newest committed generation (a Stats)."""
        st = self._native_stats()
        return Stats(st.generation, st.files, st.bytes, st.segments, st.deleted_docs,
                     st.index_bytes, st.trigrams, _skipped(st.skipped))

    def status_text(self):
        """The stats as the text `codeidx status` prints (bytes: the root may not be
        UTF-8), from codeidx_stats_format()."""
        st = self._native_stats()
        root = os.fsencode(self.root)
        n = _native.stats_format(ctypes.byref(st), root, None, 0)
        buf = ctypes.create_string_buffer(n + 1)
        _native.stats_format(ctypes.byref(st), root, buf, n + 1)
        return buf.raw[:n]

    def __repr__(self):
        return "<codeidx.Index %s>" % ("closed" if self._closed else repr(self.root))
