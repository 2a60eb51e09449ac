/* Small helpers: address, hardware-address and hex text forms, UTF-8, clocks. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* Strict dotted quad: four decimal parts 0..255, no leading junk or trailer. */
int
addr_parse(const char *s, uint32_t *out)
{
	struct in_addr in;

	if (s == NULL || inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*out = ntohl(in.s_addr);
	return 0;
}

char *
addr_str(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
	    a & 0xff);
	return buf;
}

int
mask_to_prefix(uint32_t mask)
{
	int p = 0;

	while (p < 32 && (mask & (0x80000000u >> p)))
		p++;
	if (p < 32 && (mask << p) != 0)
		return -1;
	return p;
}

uint32_t
prefix_to_mask(int prefix)
{
	if (prefix <= 0)
		return 0;
	if (prefix >= 32)
		return 0xffffffffu;
	return ~(0xffffffffu >> prefix);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff" (also '-' separated): 1..outlen bytes of two hex digits. */
int
hwaddr_parse(const char *s, uint8_t *out, size_t outlen)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (;;) {
		int hi = hexval((unsigned char)s[0]), lo;

		if (hi < 0 || (lo = hexval((unsigned char)s[1])) < 0 || n >= outlen)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s == '\0')
			return (int)n;
		if (*s != ':' && *s != '-')
			return -1;
		s++;
	}
}

char *
hwaddr_str(const uint8_t *hw, size_t len, char *buf)
{
	buf[0] = '\0';
	for (size_t i = 0; i < len; i++)
		sprintf(buf + 3 * i, i + 1 < len ? "%02x:" : "%02x", hw[i]);
	return buf;
}

int
hex_parse(const char *s, uint8_t *out, size_t outlen)
{
	size_t len = strlen(s), n = len / 2;

	if (len % 2 != 0 || n > outlen)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)s[2 * i]);
		int lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)n;
}

char *
hex_str(const uint8_t *b, size_t len, char *buf)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		buf[2 * i] = digits[b[i] >> 4];
		buf[2 * i + 1] = digits[b[i] & 0xf];
	}
	buf[2 * len] = '\0';
	return buf;
}

size_t
utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int64_t
time_wall(void)
{
	return (int64_t)time(NULL);
}

int64_t
time_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t
time_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
time_mono_ms(void)
{
	return time_mono_us() / 1000;
}
