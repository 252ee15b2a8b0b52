/* priority.c - see priority.h. */
#include "common/priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

void cx_lower_this_thread(void)
{
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
}
