"""_native.py - finds libcodeidx.so and declares its C structs and functions for ctypes."""
import ctypes
import ctypes.util
import os

# Must match include/codeidx.h.
OPEN_CREATE = 0x1
UPDATE_FULL = 0x1
UPDATE_NO_IGNORE = 0x2
UPDATE_BACKGROUND = 0x4
SEARCH_LITERAL = 0x1
SEARCH_IGNORE_CASE = 0x2
SEARCH_WORD = 0x4
OPEN_OPTIONS_VERSION = 1
UPDATE_OPTIONS_VERSION = 1
UPDATE_RESULT_VERSION = 1
STATS_VERSION = 1
SEARCH_OPTIONS_VERSION = 1
SEARCH_RESULT_VERSION = 1
SKIP_COUNT = 7
N_PHASES = 5
N_FILE_STATUSES = 7

_u64 = ctypes.c_uint64
_uint = ctypes.c_uint
_size = ctypes.c_size_t
_dbl = ctypes.c_double
_ptr = ctypes.c_void_p


class OpenOptions(ctypes.Structure):
    _fields_ = [("version", _uint), ("flags", _uint)]


class ConcurrentFile(ctypes.Structure):
    _fields_ = [("slot", _uint), ("path", _ptr), ("size", _u64), ("status", ctypes.c_int),
                ("seconds", _dbl)]


class Progress(ctypes.Structure):
    _fields_ = [("phase", ctypes.c_int), ("current", _u64), ("total", _u64),
                ("bytes_done", _u64), ("bytes_total", _u64),
                ("files_per_second", _dbl), ("bytes_per_second", _dbl),
                ("active_threads", _uint), ("threads", _uint),
                ("elapsed_seconds", _dbl), ("eta_seconds", _dbl),
                ("message", _ptr), ("files", ctypes.POINTER(ConcurrentFile)),
                ("n_files", _size)]


PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Progress), _ptr)


class UpdateOptions(ctypes.Structure):
    _fields_ = [("version", _uint), ("flags", _uint), ("threads", _uint),
                ("max_file_size", _u64), ("excludes", ctypes.POINTER(ctypes.c_char_p)),
                ("n_excludes", _size), ("progress", PROGRESS_FN), ("progress_user", _ptr),
                ("progress_interval_ms", _uint)]


class UpdateResult(ctypes.Structure):
    _fields_ = [("version", _uint), ("generation", _u64), ("files_new", _u64),
                ("files_changed", _u64), ("files_touched", _u64),
                ("files_unchanged", _u64), ("files_deleted", _u64),
                ("bytes_indexed", _u64), ("segments_written", _u64),
                ("segments_merged", _u64), ("skipped", _u64 * SKIP_COUNT),
                ("seconds", _dbl)]


class Stats(ctypes.Structure):
    _fields_ = [("version", _uint), ("generation", _u64), ("files", _u64), ("bytes", _u64),
                ("segments", _u64), ("deleted_docs", _u64), ("index_bytes", _u64),
                ("trigrams", _u64), ("skipped", _u64 * SKIP_COUNT)]


class SearchOptions(ctypes.Structure):
    _fields_ = [("version", _uint), ("flags", _uint),
                ("globs", ctypes.POINTER(ctypes.c_char_p)), ("n_globs", _size),
                ("languages", ctypes.POINTER(ctypes.c_char_p)), ("n_languages", _size),
                ("max_per_file", _u64), ("max_total", _u64), ("before", _uint),
                ("after", _uint), ("threads", _uint)]


class Span(ctypes.Structure):
    _fields_ = [("start", _size), ("end", _size)]


class Match(ctypes.Structure):
    _fields_ = [("path", _ptr), ("line", _u64), ("column", _u64), ("text", _ptr),
                ("text_len", _size), ("spans", ctypes.POINTER(Span)), ("n_spans", _size),
                ("is_context", ctypes.c_int), ("file_start", ctypes.c_int)]


MATCH_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Match), _ptr)


class SearchResult(ctypes.Structure):
    _fields_ = [("version", _uint), ("generation", _u64), ("files_indexed", _u64),
                ("candidates", _u64), ("files_matched", _u64), ("lines_matched", _u64),
                ("stopped", ctypes.c_int)]


def _candidates():
    """Where to look for the shared library, in order."""
    env = os.environ.get("CODEIDX_LIB")
    if env:
        yield os.path.join(env, "libcodeidx.so") if os.path.isdir(env) else env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    # bindings/python/codeidx/ -> the repository's build/ (what `make` produces).
    yield os.path.normpath(os.path.join(here, "..", "..", "..", "build", "libcodeidx.so"))
    found = ctypes.util.find_library("codeidx")
    if found:
        yield found
    yield "libcodeidx.so.0"


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: not found" % path)
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
    raise ImportError("cannot load libcodeidx (set CODEIDX_LIB to the .so or its directory,"
                      " or run make): " + "; ".join(errors))


lib = _load()


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


HANDLE = _ptr
version = _fn("codeidx_version", ctypes.c_char_p)
strerror = _fn("codeidx_strerror", ctypes.c_char_p, ctypes.c_int)
error_detail = _fn("codeidx_error_detail", ctypes.c_char_p)
open_ = _fn("codeidx_open", ctypes.c_int, ctypes.POINTER(HANDLE), ctypes.c_char_p,
            ctypes.POINTER(OpenOptions))
close = _fn("codeidx_close", None, HANDLE)
root = _fn("codeidx_root", ctypes.c_char_p, HANDLE)
phase_name = _fn("codeidx_phase_name", ctypes.c_char_p, ctypes.c_int)
file_status_name = _fn("codeidx_file_status_name", ctypes.c_char_p, ctypes.c_int)
skip_reason_name = _fn("codeidx_skip_reason_name", ctypes.c_char_p, ctypes.c_int)
update = _fn("codeidx_update", ctypes.c_int, HANDLE, ctypes.POINTER(UpdateOptions),
             ctypes.POINTER(UpdateResult))
stats_get = _fn("codeidx_stats_get", ctypes.c_int, HANDLE, ctypes.POINTER(Stats))
stats_format = _fn("codeidx_stats_format", ctypes.c_int, ctypes.POINTER(Stats), ctypes.c_char_p,
                   _ptr, _size)
search = _fn("codeidx_search", ctypes.c_int, HANDLE, ctypes.c_char_p, _size,
             ctypes.POINTER(SearchOptions), MATCH_FN, _ptr, ctypes.POINTER(SearchResult))
languages = _fn("codeidx_languages", ctypes.POINTER(ctypes.c_char_p))
language_globs = _fn("codeidx_language_globs", ctypes.POINTER(ctypes.c_char_p),
                     ctypes.c_char_p)

# Static names, looked up once.
PHASE_NAMES = tuple(phase_name(i).decode() for i in range(N_PHASES))
FILE_STATUS_NAMES = tuple(file_status_name(i).decode() for i in range(N_FILE_STATUSES))
SKIP_NAMES = tuple(skip_reason_name(i).decode() for i in range(SKIP_COUNT))


def string_list(ptr):
    """A NULL-terminated char** of static strings as a list of str."""
    out = []
    if ptr:
        i = 0
        while ptr[i] is not None:
            out.append(ptr[i].decode("utf-8", "surrogateescape"))
            i += 1
    return out
