"""_errors.py - exceptions raised by the codeidx package, one subclass per library error code."""
from . import _native


class Error(Exception):
    """A libcodeidx call failed.

    code    the library's negative error code (CODEIDX_E*)
    name    codeidx_strerror(code), e.g. "index is locked"
    detail  codeidx_error_detail() right after the failing call ("" if none)
    """

    code = -1

    def __init__(self, code, detail=""):
        self.code = code
        self.name = _native.strerror(code).decode("utf-8", "replace")
        self.detail = detail
        super().__init__("%s: %s" % (self.name, detail) if detail else self.name)


class InternalError(Error):
    code = -1


class InvalidArgument(Error, ValueError):
    code = -2


class OutOfMemory(Error, MemoryError):
    code = -3


class IOFailure(Error):
    """A system call failed (the detail names the file)."""
    code = -4


class NoIndex(Error):
    code = -5


class Corrupt(Error):
    code = -6


class Locked(Error):
    code = -7


class Cancelled(Error):
    """The update was cancelled because the progress callback returned a true value."""
    code = -8


class PatternError(Error, ValueError):
    code = -9


class VersionError(Error):
    code = -10


class LimitError(Error, ValueError):
    code = -11


_BY_CODE = {c.code: c for c in (InternalError, InvalidArgument, OutOfMemory, IOFailure, NoIndex,
                                Corrupt, Locked, Cancelled, PatternError, VersionError,
                                LimitError)}


def from_code(code, detail=None):
    """The exception for `code`, with the calling thread's detail message by default.

    Call it on the thread that made the failing call, before any other library call:
    the detail is thread-local."""
    if detail is None:
        detail = _native.error_detail().decode("utf-8", "surrogateescape")
    return _BY_CODE.get(code, Error)(code, detail)


def check(code):
    if code < 0:
        raise from_code(code)
    return code
