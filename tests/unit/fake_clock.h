/*
 * The test's clock. A unit test listed in FAKE_CLOCK_TESTS (Makefile) is
 * linked with util.c's clock functions wrapped (-Wl,--wrap=time_wall ...):
 * every call of time_wall(), time_mono(), time_mono_ms() and time_mono_us()
 * made by a module of the library lands here, so the decisions that depend
 * on time are tested at the times the test chooses. Include this header in
 * exactly one file of the test (it defines the functions).
 */
#ifndef DHCPFOD_FAKE_CLOCK_H
#define DHCPFOD_FAKE_CLOCK_H

#include <stdint.h>

#define FAKE_WALL0	1700000000	/* 2023-11-14, wall-clock seconds */
#define FAKE_MONO0	100000		/* monotonic seconds since boot */

int64_t fake_wall = FAKE_WALL0;		/* seconds */
int64_t fake_mono_us = (int64_t)FAKE_MONO0 * 1000000;	/* microseconds */

int64_t	__wrap_time_wall(void);
int64_t	__wrap_time_mono(void);
int64_t	__wrap_time_mono_ms(void);
int64_t	__wrap_time_mono_us(void);

int64_t
__wrap_time_wall(void)
{
	return fake_wall;
}

int64_t
__wrap_time_mono(void)
{
	return fake_mono_us / 1000000;
}

int64_t
__wrap_time_mono_ms(void)
{
	return fake_mono_us / 1000;
}

int64_t
__wrap_time_mono_us(void)
{
	return fake_mono_us;
}

/* Both clocks move on by secs seconds. */
static inline void
fake_advance(int64_t secs)
{
	fake_wall += secs;
	fake_mono_us += secs * 1000000;
}

/* Back to the start (each test runs in its own process under Check's
 * fork mode, but a fixture may want a known time anyway). */
static inline void
fake_reset(void)
{
	fake_wall = FAKE_WALL0;
	fake_mono_us = (int64_t)FAKE_MONO0 * 1000000;
}

#endif
