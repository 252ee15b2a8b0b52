/* priority.h - lowering the calling thread to the lowest CPU priority (background work). */
#ifndef CX_PRIORITY_H
#define CX_PRIORITY_H

/* Sets the calling thread's nice value to 19. Linux keeps one per thread, so only this
 * thread is lowered; an unprivileged thread cannot raise it back, so call it only on
 * threads that end with their work. A failure leaves the priority as it was. */
void cx_lower_this_thread(void);

#endif
