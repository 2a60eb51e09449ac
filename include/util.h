/* Small helpers shared by the daemon and the client: addresses, hex, strings. */
#ifndef DHCPFOD_UTIL_H
#define DHCPFOD_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Dotted quad <-> host-order address. 0 / -1. */
int	addr_parse(const char *s, uint32_t *out);
/* Writes "a.b.c.d" into buf (at least 16 bytes); returns buf. */
char	*addr_str(uint32_t a, char *buf);
/* Contiguous netmask -> prefix length; -1 if not contiguous. */
int	mask_to_prefix(uint32_t mask);
uint32_t prefix_to_mask(int prefix);

/* "aa:bb:cc..." <-> bytes (1..16). parse returns the length or -1. */
int	hwaddr_parse(const char *s, uint8_t *out, size_t outlen);
/* Writes "aa:bb:.." into buf (3 * len bytes); returns buf. */
char	*hwaddr_str(const uint8_t *hw, size_t len, char *buf);

/* Hex string (no separators, even length) <-> bytes. parse returns length or -1. */
int	hex_parse(const char *s, uint8_t *out, size_t outlen);
/* Writes lowercase hex into buf (2 * len + 1 bytes); returns buf. */
char	*hex_str(const uint8_t *b, size_t len, char *buf);

/* Number of UTF-8 code points in s (invalid bytes count one each). */
size_t	utf8_len(const char *s);

/* Seconds: wall clock (stored, on the wire) and monotonic (timers, uptime). */
int64_t	time_wall(void);
int64_t	time_mono(void);
int64_t	time_mono_ms(void);	/* monotonic milliseconds */
int64_t	time_mono_us(void);	/* microseconds */

#endif
