/* rng.h - the unit tests' small deterministic PRNG (xorshift64*): the same seed gives
 * the same cases on every machine. */
#ifndef TEST_RNG_H
#define TEST_RNG_H

#include <stdint.h>

typedef struct rng {
	uint64_t s; /* any non-zero seed */
} rng;

/* The next 64 random bits. */
static inline uint64_t rnd64(rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ull;
}

/* A number in [0, n), n > 0. */
static inline uint32_t rnd(rng *r, uint32_t n)
{
	return (uint32_t)((rnd64(r) >> 33) % n);
}

#endif
