/* reporter.h - the coordinator side of the progress contract: snapshots the tracker of
 * the phase being reported into value-copy events, throttles them, computes rates,
 * and turns a non-zero callback return into a cancel. Runs on one thread only. */
#ifndef CX_REPORTER_H
#define CX_REPORTER_H

#include "codeidx.h"
#include "common/buf.h"
#include "progress/tracker.h"

#define CX_RATE_SAMPLES 64

typedef struct cx_reporter {
	codeidx_progress_fn fn; /* may be NULL: events are then only counted */
	void *user;
	unsigned interval_ms; /* 0 = one event per finished file */
	unsigned threads;
	double run_started;
	double last_event; /* cx_now() of the last event delivered */
	int cancelled; /* the callback returned non-zero */
	/* The last event delivered: the final cancelled event repeats where it stood. */
	codeidx_phase phase;
	uint64_t current, total;
	uint64_t run_bytes; /* bytes finished by the index phase (the final event's rate) */
	/* The current snapshot: value copies of busy slots, paths in `names`. */
	codeidx_concurrent_file *files;
	size_t n_files;
	cx_buf names;      /* NUL-terminated copies of the snapshot's paths */
	size_t *name_offs; /* offset of each snapshot path in `names` */
	/* Sliding rate window: (time, files, bytes) samples of the current phase. */
	struct cx_rate_sample {
		double t;
		uint64_t files, bytes;
	} win[CX_RATE_SAMPLES];
	unsigned win_len, win_next;
	double phase_started;
} cx_reporter;

/* Prepares a reporter; returns 0 or CODEIDX_ENOMEM. */
int cx_reporter_init(cx_reporter *r, codeidx_progress_fn fn, void *user,
		     unsigned interval_ms, unsigned threads);
void cx_reporter_release(cx_reporter *r);

/* Emits an info event (total == 0, no files) with a printf-style message. Returns 0,
 * or CODEIDX_ECANCELLED if the callback asked to stop. */
int cx_reporter_info(cx_reporter *r, codeidx_phase phase, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like cx_reporter_info for routine messages (walk progress): dropped when the last
 * event is less than one interval old, so they obey the throttle. */
int cx_reporter_note(cx_reporter *r, codeidx_phase phase, const char *message);

/* Watches a phase whose workers are running on `t` until all have exited: emits the
 * phase-start event, then throttled (or per-file) snapshots, then the phase-end event.
 * If the callback asks to stop, snapshots the busy slots at that moment, sets
 * t->cancel, waits for the workers and returns CODEIDX_ECANCELLED. */
int cx_reporter_watch(cx_reporter *r, codeidx_phase phase, cx_tracker *t);

/* Emits the final event of a cancelled run: the phase and counters of the last event,
 * message "cancelled", and the files that were busy when the cancel was seen. */
void cx_reporter_cancel_event(cx_reporter *r);

/* Emits the last event of a successful run: phase DONE, current == total, the bytes
 * indexed, and the run's average rates. */
void cx_reporter_done(cx_reporter *r, uint64_t total, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
