/* format.c - codeidx_progress_format(): an event as terminal display lines, shared by
 * the CLI and any editor or tool that shows progress. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codeidx.h"

/* A bounded line writer: whole lines only, never past cap. */
typedef struct out {
	char *buf;
	size_t cap, len;
	int lines, full;
} out;

static void put_line(out *o, const char *line, size_t n, unsigned width)
{
	if (n > width)
		n = width;
	if (o->full || o->len + n + 2 > o->cap) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, line, n);
	o->len += n;
	o->buf[o->len++] = '\n';
	o->buf[o->len] = '\0';
	o->lines++;
}

static void human_bytes(char *b, size_t n, double v)
{
	static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
	unsigned u = 0;
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(b, n, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void clock_text(char *b, size_t n, double s)
{
	if (s < 0) {
		snprintf(b, n, "-:--");
		return;
	}
	unsigned long t = (unsigned long)(s + 0.5);
	if (t >= 3600)
		snprintf(b, n, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(b, n, "%lu:%02lu", t / 60, t % 60);
}

/* "  path size status secs", the path cut in the middle to fit. */
static void file_line(out *o, const codeidx_concurrent_file *f, unsigned width)
{
	char tail[96], size[32], line[1024];
	human_bytes(size, sizeof size, (double)f->size);
	int tn = snprintf(tail, sizeof tail, " %s %s %.1fs", size,
			  codeidx_file_status_name(f->status), f->seconds);
	size_t plen = strlen(f->path);
	size_t room = width > (unsigned)tn + 2 ? width - (unsigned)tn - 2 : 0;
	if (room > sizeof line - sizeof tail - 8)
		room = sizeof line - sizeof tail - 8;
	size_t n = 0;
	line[n++] = ' ';
	line[n++] = ' ';
	if (plen <= room) {
		memcpy(line + n, f->path, plen);
		n += plen;
	} else if (room >= 5) {
		size_t head = (room - 3) / 2, back = room - 3 - head;
		memcpy(line + n, f->path, head);
		memcpy(line + n + head, "...", 3);
		memcpy(line + n + head + 3, f->path + plen - back, back);
		n += room;
	}
	memcpy(line + n, tail, (size_t)tn);
	n += (size_t)tn;
	/* Control bytes in a path would move the cursor: show them as '?'. */
	for (size_t i = 2; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	put_line(o, line, n, width);
}

CODEIDX_API int codeidx_progress_format(const codeidx_progress *ev, unsigned width, char *buf,
					size_t cap)
{
	if (!ev || !buf || cap == 0 || width < 20)
		return CODEIDX_EINVAL;
	out o = {buf, cap, 0, 0, 0};
	buf[0] = '\0';
	char line[1024];
	if (width > sizeof line - 1)
		width = sizeof line - 1;
	int n;
	if (ev->total == 0) {
		n = snprintf(line, sizeof line, "[%s] %s", codeidx_phase_name(ev->phase),
			     ev->message ? ev->message : "");
		put_line(&o, line, n < 0 ? 0 : (size_t)n, width);
		return o.full ? CODEIDX_ELIMIT : o.lines;
	}
	double frac = ev->current >= ev->total ? 1.0 : (double)ev->current / (double)ev->total;
	char rate[32], el[32], eta[32];
	human_bytes(rate, sizeof rate, ev->bytes_per_second);
	clock_text(el, sizeof el, ev->elapsed_seconds);
	clock_text(eta, sizeof eta, ev->eta_seconds);
	char stats[256];
	int sn = snprintf(stats, sizeof stats,
			  " %3.0f%% %" PRIu64 "/%" PRIu64 " files %.0f files/s %s/s %u busy %s ETA %s",
			  frac * 100, ev->current, ev->total, ev->files_per_second, rate,
			  ev->active_threads, el, eta);
	const char *phase = codeidx_phase_name(ev->phase);
	/* The bar gets what is left of the width, between 10 and 40 cells. */
	int bar = (int)width - (int)strlen(phase) - 3 - sn;
	if (bar > 40)
		bar = 40;
	n = snprintf(line, sizeof line, "%s ", phase);
	if (bar >= 10) {
		int fill = (int)(frac * bar + 0.5);
		line[n++] = '[';
		for (int i = 0; i < bar; i++)
			line[n++] = i < fill ? '#' : '.';
		line[n++] = ']';
	}
	memcpy(line + n, stats, (size_t)sn);
	n += sn;
	put_line(&o, line, (size_t)n, width);
	for (size_t i = 0; i < ev->n_files; i++)
		file_line(&o, &ev->files[i], width);
	return o.full ? CODEIDX_ELIMIT : o.lines;
}
