/* workspace.c - idle search buffers and PCRE2 scratch kept by a handle between
 * searches. Without it every search mallocs fresh buffers, and the kernel spends more
 * time zeroing and mapping their pages than copying the files into them. */
#include "search/workspace.h"

#include <pthread.h>
#include <stdlib.h>

/* The bound: at most KEEP_SLOTS idle slots (content up to KEEP_BYTES, line and span
 * lists and path up to a quarter of that each) and KEEP_SCRATCH scratch sets (a JIT
 * stack grows to 4 MiB at most): about 80 MiB in the worst case, a few MiB in practice. */
#define KEEP_SLOTS 32
#define KEEP_BYTES (1u << 20)
#define KEEP_SCRATCH 8

struct cx_workspace {
	pthread_mutex_t lock;
	cx_file_slot idle[KEEP_SLOTS];
	size_t n_idle;
	cx_match_scratch *scratch[KEEP_SCRATCH];
	size_t n_scratch;
};

cx_workspace *cx_workspace_new(void)
{
	cx_workspace *ws = calloc(1, sizeof *ws);
	if (ws)
		pthread_mutex_init(&ws->lock, NULL);
	return ws;
}

void cx_workspace_free(cx_workspace *ws)
{
	if (!ws)
		return;
	for (size_t i = 0; i < ws->n_idle; i++)
		cx_file_slot_release(&ws->idle[i]);
	for (size_t i = 0; i < ws->n_scratch; i++)
		cx_match_scratch_free(ws->scratch[i]);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
}

void cx_workspace_take_slots(cx_workspace *ws, cx_file_slot *slots, size_t n)
{
	pthread_mutex_lock(&ws->lock);
	for (size_t i = 0; i < n; i++) {
		if (ws->n_idle)
			slots[i] = ws->idle[--ws->n_idle];
		else
			slots[i] = (cx_file_slot){0};
		slots[i].ready = slots[i].rc = 0;
	}
	pthread_mutex_unlock(&ws->lock);
}

void cx_workspace_give_slots(cx_workspace *ws, cx_file_slot *slots, size_t n)
{
	size_t i = 0;
	pthread_mutex_lock(&ws->lock);
	for (; i < n && ws->n_idle < KEEP_SLOTS; i++) {
		cx_file_slot_trim(&slots[i], KEEP_BYTES);
		ws->idle[ws->n_idle++] = slots[i];
	}
	pthread_mutex_unlock(&ws->lock);
	for (; i < n; i++)
		cx_file_slot_release(&slots[i]);
}

cx_match_scratch *cx_workspace_take_scratch(cx_workspace *ws)
{
	cx_match_scratch *s = NULL;
	pthread_mutex_lock(&ws->lock);
	if (ws->n_scratch)
		s = ws->scratch[--ws->n_scratch];
	pthread_mutex_unlock(&ws->lock);
	return s ? s : cx_match_scratch_new();
}

void cx_workspace_give_scratch(cx_workspace *ws, cx_match_scratch *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&ws->lock);
	if (ws->n_scratch < KEEP_SCRATCH) {
		ws->scratch[ws->n_scratch++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&ws->lock);
	cx_match_scratch_free(s);
}

void cx_file_slot_trim(cx_file_slot *sl, size_t keep)
{
	if (sl->content.cap > keep)
		cx_buf_release(&sl->content);
	if (sl->hits.cap * sizeof(cx_hit) > keep / 4 ||
	    sl->hits.cap_spans * sizeof(codeidx_span) > keep / 4)
		cx_hits_release(&sl->hits);
	if (sl->path.cap > keep / 4)
		cx_buf_release(&sl->path);
}

void cx_file_slot_release(cx_file_slot *sl)
{
	cx_buf_release(&sl->path);
	cx_buf_release(&sl->content);
	cx_hits_release(&sl->hits);
}
