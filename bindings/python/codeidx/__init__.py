"""codeidx - Python bindings (ctypes, standard library only) for libcodeidx, a trigram code-search index.

    import codeidx
    with codeidx.Index("path/to/tree") as idx:
        idx.update(progress=lambda p: print(p.phase, p.current, p.total))
        for m in idx.search(r"TODO\\b", globs=["*.c"]):
            print(f"{m.path}:{m.line}:{m.text}")

The shared library is found through $CODEIDX_LIB (the .so, or its directory), else the
repository's build/ directory, else the system's library path. See README.md.
"""
from . import _native
from ._errors import (Cancelled, Corrupt, Error, InternalError, InvalidArgument, IOFailure,
                      LimitError, Locked, NoIndex, OutOfMemory, PatternError, VersionError)
from ._index import (ConcurrentFile, Index, Match, Progress, SearchIterator, SearchSummary,
                     Stats, UpdateResult)

__all__ = [
    "Index", "Match", "Progress", "ConcurrentFile", "UpdateResult", "Stats", "SearchIterator",
    "SearchSummary", "Error", "InternalError", "InvalidArgument", "OutOfMemory", "IOFailure",
    "NoIndex", "Corrupt", "Locked", "Cancelled", "PatternError", "VersionError", "LimitError",
    "version", "languages", "language_globs", "strerror", "library_path",
]

__version__ = "0.1.0"


def version():
    """The loaded library's version string (codeidx_version())."""
    return _native.version().decode()


def strerror(code):
    """The library's short description of an error code."""
    return _native.strerror(code).decode("utf-8", "replace")


def languages():
    """Names accepted by Index.search(languages=...)."""
    return _native.string_list(_native.languages())


def language_globs(name):
    """File name globs of one language, or None for an unknown name."""
    ptr = _native.language_globs(name.encode() if isinstance(name, str) else name)
    return _native.string_list(ptr) if ptr else None


def library_path():
    """The path of the loaded shared library."""
    return _native.lib._name
