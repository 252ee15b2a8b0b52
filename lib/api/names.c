/* names.c - static names of phases, file statuses and skip reasons. */
#include "codeidx.h"

CODEIDX_API const char *codeidx_phase_name(codeidx_phase phase)
{
	static const char *const names[] = {"setup", "hash", "index", "commit", "done"};
	return (unsigned)phase < sizeof names / sizeof *names ? names[phase] : "unknown";
}

CODEIDX_API const char *codeidx_file_status_name(codeidx_file_status status)
{
	static const char *const names[] = {"queued",   "stating", "hashing", "reading",
					    "indexing", "done",    "failed"};
	return (unsigned)status < sizeof names / sizeof *names ? names[status] : "unknown";
}

CODEIDX_API const char *codeidx_skip_reason_name(codeidx_skip_reason reason)
{
	static const char *const names[] = {"ignored", "excluded", "binary", "too-large",
					    "symlink", "special",  "failed"};
	return (unsigned)reason < sizeof names / sizeof *names ? names[reason] : "unknown";
}
