/* clock.h - monotonic time in seconds, for progress rates and elapsed times. */
#ifndef CX_CLOCK_H
#define CX_CLOCK_H

#include <time.h>

static inline double cx_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
