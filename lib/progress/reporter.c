/* reporter.c - builds, throttles and delivers progress events (see reporter.h). */
#include "progress/reporter.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"

static const codeidx_concurrent_file no_files[1];

int cx_reporter_init(cx_reporter *r, codeidx_progress_fn fn, void *user,
		     unsigned interval_ms, unsigned threads)
{
	memset(r, 0, sizeof *r);
	r->fn = fn;
	r->user = user;
	r->interval_ms = interval_ms;
	r->threads = threads;
	r->run_started = cx_now();
	r->files = cx_calloc(threads ? threads : 1, sizeof *r->files);
	r->name_offs = cx_calloc(threads ? threads : 1, sizeof *r->name_offs);
	return r->files && r->name_offs ? 0 : CODEIDX_ENOMEM;
}

void cx_reporter_release(cx_reporter *r)
{
	free(r->files);
	free(r->name_offs);
	r->files = NULL;
	r->name_offs = NULL;
	cx_buf_release(&r->names);
}

/* Copies the busy slots of `t` into r->files / r->names. Paths are copied under the
 * slot lock, so the event never points into live state. */
static void snapshot(cx_reporter *r, cx_tracker *t)
{
	size_t *offs = r->name_offs;
	r->n_files = 0;
	r->names.len = 0;
	for (unsigned i = 0; i < t->n_slots && i < r->threads; i++) {
		cx_slot *s = &t->slots[i];
		pthread_mutex_lock(&s->lock);
		if (s->active) {
			/* Read the clock under the lock: the slot cannot have started later. */
			double now = cx_now();
			size_t n = strlen(s->path) + 1;
			if (cx_buf_append(&r->names, s->path, n) == 0) {
				codeidx_concurrent_file *f = &r->files[r->n_files];
				offs[r->n_files] = r->names.len - n;
				f->slot = i;
				f->size = s->size;
				f->status = s->status;
				f->seconds = now - s->started;
				r->n_files++;
			}
		}
		pthread_mutex_unlock(&s->lock);
	}
	/* Resolve offsets only now: the arena may have moved while growing. */
	for (size_t k = 0; k < r->n_files; k++)
		r->files[k].path = (const char *)r->names.data + offs[k];
}

static void rate_reset(cx_reporter *r)
{
	r->win_len = r->win_next = 0;
	r->phase_started = cx_now();
}

/* Records a sample and computes rates over the last ~2 seconds. */
static void rate_update(cx_reporter *r, codeidx_progress *ev)
{
	double now = cx_now();
	struct cx_rate_sample *s = &r->win[r->win_next];
	s->t = now;
	s->files = ev->current;
	s->bytes = ev->bytes_done;
	r->win_next = (r->win_next + 1) % CX_RATE_SAMPLES;
	if (r->win_len < CX_RATE_SAMPLES)
		r->win_len++;
	/* The oldest sample still inside the window; the phase start otherwise. */
	double t0 = r->phase_started;
	uint64_t f0 = 0, b0 = 0;
	for (unsigned k = r->win_len; k > 0; k--) {
		struct cx_rate_sample *o =
			&r->win[(r->win_next + CX_RATE_SAMPLES - k) % CX_RATE_SAMPLES];
		if (now - o->t <= 2.0 && o->t < now) {
			t0 = o->t;
			f0 = o->files;
			b0 = o->bytes;
			break;
		}
	}
	double dt = now - t0;
	if (dt > 1e-3 && ev->current >= f0) {
		ev->files_per_second = (double)(ev->current - f0) / dt;
		ev->bytes_per_second = (double)(ev->bytes_done - b0) / dt;
	}
	if (ev->total > ev->current && ev->files_per_second > 0)
		ev->eta_seconds = (double)(ev->total - ev->current) / ev->files_per_second;
	else if (ev->total && ev->current >= ev->total)
		ev->eta_seconds = 0;
}

/* Delivers one event; returns the callback's verdict (non-zero = cancel). */
static int deliver(cx_reporter *r, codeidx_progress *ev)
{
	ev->threads = r->threads;
	ev->elapsed_seconds = cx_now() - r->run_started;
	if (!ev->message)
		ev->message = "";
	if (!ev->files)
		ev->files = no_files;
	r->phase = ev->phase;
	r->current = ev->current;
	r->total = ev->total;
	r->last_event = cx_now();
	if (!r->fn || r->cancelled)
		return 0;
	return r->fn(ev, r->user);
}

int cx_reporter_info(cx_reporter *r, codeidx_phase phase, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	codeidx_progress ev = {.phase = phase, .message = msg, .eta_seconds = -1};
	if (deliver(r, &ev)) {
		r->cancelled = 1;
		r->n_files = 0;
		return CODEIDX_ECANCELLED;
	}
	return 0;
}

int cx_reporter_note(cx_reporter *r, codeidx_phase phase, const char *message)
{
	if (r->interval_ms && cx_now() - r->last_event < r->interval_ms * 1e-3)
		return 0;
	return cx_reporter_info(r, phase, "%s", message);
}

/* Builds the event for `current` finished files of phase `phase` from a fresh
 * snapshot of `t`, and delivers it. */
static int emit_phase(cx_reporter *r, codeidx_phase phase, cx_tracker *t, uint64_t current,
		      const char *msg)
{
	snapshot(r, t);
	codeidx_progress ev = {
		.phase = phase,
		.current = current,
		.total = t->total,
		.bytes_done = atomic_load(&t->bytes_done),
		.bytes_total = t->bytes_total,
		.eta_seconds = -1,
		.message = msg,
		.files = r->n_files ? r->files : no_files,
		.n_files = r->n_files,
		.active_threads = (unsigned)r->n_files,
	};
	rate_update(r, &ev);
	return deliver(r, &ev);
}

static void deadline_after(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Waits until the interval has passed, all workers have exited, or (per-file mode)
 * a file beyond `seen` has finished; returns the workers still running. */
static unsigned wait_workers(cx_tracker *t, uint64_t seen, unsigned interval_ms)
{
	struct timespec dl;
	deadline_after(&dl, interval_ms ? interval_ms : 1000);
	pthread_mutex_lock(&t->lock);
	while (t->running > 0) {
		if (!interval_ms && atomic_load(&t->current) > seen)
			break;
		if (pthread_cond_timedwait(&t->wake, &t->lock, &dl) == ETIMEDOUT)
			break;
	}
	unsigned running = t->running;
	pthread_mutex_unlock(&t->lock);
	return running;
}

static void wait_all_exited(cx_tracker *t)
{
	pthread_mutex_lock(&t->lock);
	while (t->running > 0)
		pthread_cond_wait(&t->wake, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

/* The callback asked to stop: keep the snapshot of the busy slots as they are now,
 * stop the workers, and deliver the final cancelled event carrying that snapshot. */
static int cancel_phase(cx_reporter *r, cx_tracker *t)
{
	snapshot(r, t);
	r->cancelled = 1;
	atomic_store(&t->cancel, 1);
	wait_all_exited(t);
	return CODEIDX_ECANCELLED;
}

int cx_reporter_watch(cx_reporter *r, codeidx_phase phase, cx_tracker *t)
{
	rate_reset(r);
	uint64_t shown = 0;
	if (emit_phase(r, phase, t, 0, "started"))
		return cancel_phase(r, t);
	for (;;) {
		unsigned running = wait_workers(t, shown, r->interval_ms);
		uint64_t now = atomic_load_explicit(&t->current, memory_order_acquire);
		if (r->interval_ms == 0) {
			/* One event per finished file, catching up if the callback was slow;
			 * the event for the last file is the phase-end event. */
			while (shown < now) {
				shown++;
				if (emit_phase(r, phase, t, shown, shown == t->total ? "done" : ""))
					return cancel_phase(r, t);
			}
		} else if (running > 0) {
			shown = now;
			if (emit_phase(r, phase, t, shown, ""))
				return cancel_phase(r, t);
		}
		if (running == 0)
			break;
	}
	if (r->interval_ms != 0 || shown < t->total || t->total == 0) {
		if (emit_phase(r, phase, t, atomic_load(&t->current), "done"))
			return cancel_phase(r, t);
	}
	if (phase == CODEIDX_PHASE_INDEX)
		r->run_bytes += atomic_load(&t->bytes_done);
	return 0;
}

void cx_reporter_cancel_event(cx_reporter *r)
{
	codeidx_progress ev = {
		.phase = r->phase,
		.current = r->current,
		.total = r->total,
		.eta_seconds = -1,
		.message = "cancelled",
		.files = r->n_files ? r->files : no_files,
		.n_files = r->n_files,
		.active_threads = (unsigned)r->n_files,
	};
	ev.threads = r->threads;
	ev.elapsed_seconds = cx_now() - r->run_started;
	if (r->fn)
		r->fn(&ev, r->user);
}

void cx_reporter_done(cx_reporter *r, uint64_t total, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	codeidx_progress ev = {.phase = CODEIDX_PHASE_DONE,
			       .current = total,
			       .total = total,
			       .eta_seconds = 0,
			       .message = msg};
	/* The run's average rates over its whole time. */
	double secs = cx_now() - r->run_started;
	ev.bytes_done = ev.bytes_total = r->run_bytes;
	if (secs > 1e-3) {
		ev.files_per_second = (double)total / secs;
		ev.bytes_per_second = (double)r->run_bytes / secs;
	}
	deliver(r, &ev);
}
