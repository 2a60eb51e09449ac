/* Sets of IPv4 address intervals: pure, sorted, used to keep free space compact
 * (DESIGN §3: a /8 is one interval, not sixteen million rows). */
#ifndef DHCPFOD_IVL_H
#define DHCPFOD_IVL_H

#include <stddef.h>
#include <stdint.h>

struct ivl {
	uint32_t	start;
	uint32_t	end;	/* inclusive */
};

/* A growable set. Normalised = sorted by start, disjoint, adjacent merged. */
struct ivlset {
	struct ivl	*v;
	size_t		 n, cap;
};

void	ivlset_free(struct ivlset *);
int	ivlset_add(struct ivlset *, uint32_t start, uint32_t end);	/* append */
void	ivlset_normalise(struct ivlset *);
/* out = a - b; a and b normalised; out is reset first. */
int	ivlset_subtract(const struct ivlset *a, const struct ivlset *b,
	    struct ivlset *out);
/* Number of addresses in a normalised set. */
uint64_t ivlset_count(const struct ivlset *);
/* Whether [start, end] meets any interval of a normalised set. */
int	ivlset_overlaps(const struct ivlset *, uint32_t start, uint32_t end);
/* Whether addr lies in a normalised set. */
int	ivlset_contains(const struct ivlset *, uint32_t addr);

#endif
