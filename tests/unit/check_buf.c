/* Unit tests: the bounds-checked reader and writer of wire data (buf.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "buf.h"
#include "util.h"

static const uint8_t data8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/* One read of each kind at each starting offset: its width and, when it
 * fits, the value (network order). */
enum rd { RD_U8, RD_U16, RD_U32, RD_BYTES3, RD_SKIP5, RD_PTR2, RD_SUB4 };

static const struct read_case {
	enum rd		 kind;
	size_t		 width;
	size_t		 off;		/* consumed before */
	int		 ok;
	uint32_t	 value;		/* integer reads */
} read_cases[] = {
	{ RD_U8, 1, 0, 1, 0x01 },
	{ RD_U8, 1, 7, 1, 0x08 },
	{ RD_U8, 1, 8, 0, 0 },
	{ RD_U16, 2, 0, 1, 0x0102 },
	{ RD_U16, 2, 6, 1, 0x0708 },
	{ RD_U16, 2, 7, 0, 0 },
	{ RD_U16, 2, 8, 0, 0 },
	{ RD_U32, 4, 0, 1, 0x01020304 },
	{ RD_U32, 4, 4, 1, 0x05060708 },
	{ RD_U32, 4, 5, 0, 0 },
	{ RD_U32, 4, 8, 0, 0 },
	{ RD_BYTES3, 3, 5, 1, 0 },
	{ RD_BYTES3, 3, 6, 0, 0 },
	{ RD_SKIP5, 5, 3, 1, 0 },
	{ RD_SKIP5, 5, 4, 0, 0 },
	{ RD_PTR2, 2, 6, 1, 0 },
	{ RD_PTR2, 2, 7, 0, 0 },
	{ RD_SUB4, 4, 4, 1, 0 },
	{ RD_SUB4, 4, 5, 0, 0 },
};

/* Performs the read; for integer reads stores the value in *v. */
static int
do_read(struct buf *b, const struct read_case *c, uint32_t *v,
    uint8_t *bytes, const uint8_t **ptr, struct buf *sub)
{
	uint8_t u8;
	uint16_t u16;
	int rc = -1;

	*v = 0xdeadbeef;
	switch (c->kind) {
	case RD_U8:
		rc = buf_get_u8(b, &u8);
		*v = u8;
		break;
	case RD_U16:
		rc = buf_get_u16(b, &u16);
		*v = u16;
		break;
	case RD_U32:
		rc = buf_get_u32(b, v);
		break;
	case RD_BYTES3:
		rc = buf_get_bytes(b, bytes, 3);
		break;
	case RD_SKIP5:
		rc = buf_skip(b, 5);
		break;
	case RD_PTR2:
		rc = buf_get_ptr(b, 2, ptr);
		break;
	case RD_SUB4:
		rc = buf_get_buf(b, 4, sub);
		break;
	}
	return rc;
}

/* Every read: the value when it fits; when not, -1, nothing consumed, the
 * output zeroed and the error sticky. */
START_TEST(test_read)
{
	const struct read_case *c = &read_cases[_i];
	uint8_t bytes[3] = { 0xaa, 0xaa, 0xaa }, u8;
	const uint8_t *ptr = data8;
	struct buf b, sub;
	uint32_t v;

	buf_init(&b, data8, sizeof(data8));
	ck_assert_int_eq(buf_skip(&b, c->off), 0);
	ck_assert_int_eq(do_read(&b, c, &v, bytes, &ptr, &sub), c->ok ? 0 : -1);
	if (!c->ok) {
		ck_assert_uint_eq(buf_offset(&b), c->off);
		ck_assert_int_eq(buf_error(&b), 1);
		if (c->kind <= RD_U32)
			ck_assert_uint_eq(v, 0);
		if (c->kind == RD_BYTES3)
			ck_assert_mem_eq(bytes, "\0\0\0", 3);
		if (c->kind == RD_PTR2)
			ck_assert_ptr_null(ptr);
		if (c->kind == RD_SUB4)
			ck_assert_uint_eq(buf_remaining(&sub), 0);
		/* sticky: even a read that would fit now fails */
		ck_assert_int_eq(buf_get_bytes(&b, NULL, 0), -1);
		ck_assert_int_eq(buf_get_u8(&b, &u8), -1);
		ck_assert_int_eq(buf_peek_u8(&b, &u8), -1);
		ck_assert_uint_eq(buf_offset(&b), c->off);
		return;
	}
	ck_assert_uint_eq(buf_offset(&b), c->off + c->width);
	ck_assert_uint_eq(buf_remaining(&b), 8 - c->off - c->width);
	ck_assert_int_eq(buf_error(&b), 0);
	if (c->kind <= RD_U32)
		ck_assert_uint_eq(v, c->value);
	if (c->kind == RD_BYTES3)
		ck_assert_mem_eq(bytes, data8 + c->off, 3);
	if (c->kind == RD_PTR2)
		ck_assert_ptr_eq(ptr, data8 + c->off);
	if (c->kind == RD_SUB4) {
		ck_assert_uint_eq(buf_remaining(&sub), 4);
		ck_assert_int_eq(buf_get_u32(&sub, &v), 0);
		ck_assert_uint_eq(v, 0x05060708);
		ck_assert_int_eq(buf_get_u8(&sub, &u8), -1);
		ck_assert_int_eq(buf_error(&b), 0);	/* sub's error only */
	}
}
END_TEST

/* A decoder may read a run of fields and test the flag once. */
START_TEST(test_read_check_once)
{
	struct buf b;
	uint32_t a, c;
	uint16_t s;

	buf_init(&b, data8, 7);
	buf_get_u32(&b, &a);
	buf_get_u32(&b, &c);		/* 3 left: fails */
	buf_get_u16(&b, &s);		/* would fit, fails: sticky */
	ck_assert_int_eq(buf_error(&b), 1);
	ck_assert_uint_eq(a, 0x01020304);
	ck_assert_uint_eq(c, 0);
	ck_assert_uint_eq(s, 0);
	ck_assert_uint_eq(buf_offset(&b), 4);
	ck_assert_uint_eq(buf_remaining(&b), 3);
}
END_TEST

START_TEST(test_peek)
{
	struct buf b;
	uint8_t v;

	buf_init(&b, data8, 2);
	ck_assert_int_eq(buf_peek_u8(&b, &v), 0);
	ck_assert_uint_eq(v, 0x01);
	ck_assert_uint_eq(buf_offset(&b), 0);
	ck_assert_int_eq(buf_skip(&b, 2), 0);
	ck_assert_int_eq(buf_peek_u8(&b, &v), -1);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(buf_error(&b), 0);	/* no error at the end */
}
END_TEST

/* Empty and NULL readers; reads of zero bytes succeed anywhere. */
START_TEST(test_read_empty)
{
	const uint8_t *p;
	struct buf b, sub;
	uint8_t v;

	buf_init(&b, NULL, 5);
	ck_assert_uint_eq(buf_remaining(&b), 0);
	ck_assert_int_eq(buf_get_bytes(&b, NULL, 0), 0);
	ck_assert_int_eq(buf_skip(&b, 0), 0);
	ck_assert_int_eq(buf_get_buf(&b, 0, &sub), 0);
	ck_assert_int_eq(buf_get_u8(&b, &v), -1);
	buf_init(&b, data8, sizeof(data8));
	ck_assert_int_eq(buf_skip(&b, 8), 0);
	ck_assert_int_eq(buf_get_ptr(&b, 0, &p), 0);
	ck_assert_int_eq(buf_skip(&b, SIZE_MAX), -1);
	ck_assert_uint_eq(buf_offset(&b), 8);
}
END_TEST

/* Huge lengths never wrap the bounds check. */
START_TEST(test_read_huge)
{
	const uint8_t *p;
	struct buf b;

	buf_init(&b, data8, sizeof(data8));
	ck_assert_int_eq(buf_skip(&b, 3), 0);
	ck_assert_int_eq(buf_get_ptr(&b, SIZE_MAX - 1, &p), -1);
	ck_assert_uint_eq(buf_offset(&b), 3);
}
END_TEST

/* Writes into a buffer of cap bytes: what fits and what it leaves. */
static const struct write_case {
	size_t		 cap;
	size_t		 prefill;	/* zero bytes put first */
	enum { WR_U8, WR_U16, WR_U32, WR_BYTES, WR_ZERO } kind;
	int		 ok;
	const char	*hex;		/* bytes after the prefill */
} write_cases[] = {
	{ 4, 0, WR_U8, 1, "ab" },
	{ 4, 3, WR_U8, 1, "ab" },
	{ 4, 4, WR_U8, 0, "" },
	{ 4, 2, WR_U16, 1, "abcd" },
	{ 4, 3, WR_U16, 0, "" },
	{ 4, 0, WR_U32, 1, "abcdef01" },
	{ 4, 1, WR_U32, 0, "" },
	{ 8, 5, WR_BYTES, 1, "010203" },
	{ 8, 6, WR_BYTES, 0, "" },
	{ 8, 3, WR_ZERO, 1, "0000000000" },
	{ 8, 4, WR_ZERO, 0, "" },
	{ 0, 0, WR_U8, 0, "" },
};

static int
do_write(struct wbuf *w, int kind)
{
	static const uint8_t three[3] = { 1, 2, 3 };

	switch (kind) {
	case WR_U8:
		return wbuf_put_u8(w, 0xab);
	case WR_U16:
		return wbuf_put_u16(w, 0xabcd);
	case WR_U32:
		return wbuf_put_u32(w, 0xabcdef01);
	case WR_BYTES:
		return wbuf_put_bytes(w, three, sizeof(three));
	default:
		return wbuf_put_zero(w, 5);
	}
}

/* A put that fits writes the bytes; one that does not writes nothing, fails
 * the writer and every later put. */
START_TEST(test_write)
{
	const struct write_case *c = &write_cases[_i];
	uint8_t mem[16];
	struct wbuf w;
	char hex[33];

	memset(mem, 0x55, sizeof(mem));
	wbuf_init(&w, mem, c->cap);
	ck_assert_int_eq(wbuf_put_zero(&w, c->prefill), 0);
	ck_assert_int_eq(do_write(&w, c->kind), c->ok ? 0 : -1);
	if (!c->ok) {
		ck_assert_int_eq(wbuf_error(&w), 1);
		ck_assert_uint_eq(wbuf_len(&w), c->prefill);
		ck_assert_uint_eq(wbuf_avail(&w), 0);
		ck_assert_uint_eq(mem[c->prefill], 0x55);	/* untouched */
		ck_assert_int_eq(wbuf_put_zero(&w, 0), -1);	/* sticky */
		ck_assert_uint_eq(wbuf_len(&w), c->prefill);
		return;
	}
	ck_assert_int_eq(wbuf_error(&w), 0);
	ck_assert_uint_eq(wbuf_len(&w), c->prefill + strlen(c->hex) / 2);
	ck_assert_uint_eq(wbuf_avail(&w), c->cap - wbuf_len(&w));
	ck_assert_str_eq(hex_str(mem + c->prefill, strlen(c->hex) / 2, hex),
	    c->hex);
	ck_assert_uint_eq(mem[wbuf_len(&w)], 0x55);	/* nothing beyond */
}
END_TEST

/* A writer over nothing takes zero-byte puts only. */
START_TEST(test_write_null)
{
	struct wbuf w;

	wbuf_init(&w, NULL, 10);
	ck_assert_uint_eq(wbuf_avail(&w), 0);
	ck_assert_int_eq(wbuf_put_bytes(&w, NULL, 0), 0);
	ck_assert_int_eq(wbuf_put_zero(&w, 0), 0);
	ck_assert_int_eq(wbuf_error(&w), 0);
	ck_assert_int_eq(wbuf_put_u8(&w, 1), -1);
	ck_assert_int_eq(wbuf_error(&w), 1);
	ck_assert_uint_eq(wbuf_len(&w), 0);
}
END_TEST

/* An encoder writes a run and checks once; the bytes before stay. */
START_TEST(test_write_check_once)
{
	uint8_t mem[6];
	struct wbuf w;

	wbuf_init(&w, mem, sizeof(mem));
	wbuf_put_u32(&w, 0x01020304);
	wbuf_put_u32(&w, 0x05060708);	/* 2 left: fails */
	wbuf_put_u8(&w, 0x09);		/* would fit: no-op */
	ck_assert_int_eq(wbuf_error(&w), 1);
	ck_assert_uint_eq(wbuf_len(&w), 4);
	ck_assert_mem_eq(mem, "\x01\x02\x03\x04", 4);
}
END_TEST

/* Patching bytes already written: a length known only at the end. */
START_TEST(test_set)
{
	uint8_t mem[8];
	struct wbuf w;

	wbuf_init(&w, mem, sizeof(mem));
	wbuf_put_zero(&w, 7);
	ck_assert_int_eq(wbuf_set_u8(&w, 0, 0x11), 0);
	ck_assert_int_eq(wbuf_set_u16(&w, 1, 0x2233), 0);
	ck_assert_int_eq(wbuf_set_u32(&w, 3, 0x44556677), 0);
	ck_assert_mem_eq(mem, "\x11\x22\x33\x44\x55\x66\x77", 7);
	ck_assert_int_eq(wbuf_error(&w), 0);
	ck_assert_int_eq(wbuf_set_u16(&w, 6, 0xffff), -1);	/* past len */
	ck_assert_int_eq(wbuf_error(&w), 1);
	ck_assert_uint_eq(mem[6], 0x77);
	wbuf_init(&w, mem, sizeof(mem));
	ck_assert_int_eq(wbuf_set_u8(&w, SIZE_MAX, 1), -1);
	ck_assert_int_eq(wbuf_set_u8(&w, 0, 1), -1);	/* failed: no-op */
}
END_TEST

/* A reader gives back exactly what a writer wrote. */
START_TEST(test_roundtrip)
{
	uint8_t mem[32], bytes[5];
	struct wbuf w;
	struct buf b;
	uint32_t u32;
	uint16_t u16;
	uint8_t u8;

	wbuf_init(&w, mem, sizeof(mem));
	wbuf_put_u8(&w, 0xfe);
	wbuf_put_u16(&w, 0x8001);
	wbuf_put_u32(&w, 0xc0000201);
	wbuf_put_bytes(&w, "hello", 5);
	wbuf_put_zero(&w, 2);
	ck_assert_int_eq(wbuf_error(&w), 0);
	buf_init(&b, mem, wbuf_len(&w));
	buf_get_u8(&b, &u8);
	buf_get_u16(&b, &u16);
	buf_get_u32(&b, &u32);
	buf_get_bytes(&b, bytes, sizeof(bytes));
	ck_assert_int_eq(buf_skip(&b, 2), 0);
	ck_assert_int_eq(buf_error(&b), 0);
	ck_assert_uint_eq(buf_remaining(&b), 0);
	ck_assert_uint_eq(u8, 0xfe);
	ck_assert_uint_eq(u16, 0x8001);
	ck_assert_uint_eq(u32, 0xc0000201);
	ck_assert_mem_eq(bytes, "hello", 5);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc;

	tc = tcase_create("read");
	tcase_add_loop_test(tc, test_read, 0, nitems(read_cases));
	tcase_add_test(tc, test_read_check_once);
	tcase_add_test(tc, test_peek);
	tcase_add_test(tc, test_read_empty);
	tcase_add_test(tc, test_read_huge);
	suite_add_tcase(s, tc);
	tc = tcase_create("write");
	tcase_add_loop_test(tc, test_write, 0, nitems(write_cases));
	tcase_add_test(tc, test_write_null);
	tcase_add_test(tc, test_write_check_once);
	tcase_add_test(tc, test_set);
	tcase_add_test(tc, test_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(buf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
