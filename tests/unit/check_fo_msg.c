/* Unit tests: the failover message codec (src/failover/fo_msg.c; draft-12
 * §6, §12 as ISC speaks it, docs/FAILOVER.md §2 and MIGRATING-FROM-ISC.md),
 * its HMAC-SHA256 digest, the state and HBA helpers, and the RFC 3074 sample
 * buckets of docs/FAILOVER.md §1. Golden messages are written here in hex
 * from the draft's layout, independently of buf.c and of the encoder. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "dhcp_pkt.h"
#include "fo.h"
#include "fo_msg.h"
#include "lease.h"
#include "util.h"

#define MAXMSG		4096
#define T0		1600000000u	/* 0x5f5e1000 */

static struct fo_msg	 m, got;
static uint8_t		 wire[MAXMSG], wire2[MAXMSG];
static char		 err[256];

/* Hex, spaces allowed, into out; returns the byte count. */
static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	unsigned int v;
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		ck_assert_msg(n < cap && s[1] != '\0' &&
		    sscanf(s, "%2x", &v) == 1, "bad test hex at '%s'", s);
		out[n++] = (uint8_t)v;
		s++;
	}
	return n;
}

/* Writes len into the length field (bytes 0-1). */
static void
setlen(uint8_t *p, size_t len)
{
	p[0] = (uint8_t)(len >> 8);
	p[1] = (uint8_t)len;
}

/* Hex with its length field filled in. */
static size_t
msg_hex(const char *hex, uint8_t *out)
{
	size_t n = unhex(hex, out, MAXMSG);

	setlen(out, n);
	return n;
}

/* Appends one TLV at p[*n]. */
static void
tlv(uint8_t *p, size_t *n, uint16_t code, const void *val, uint16_t len)
{
	p[(*n)++] = (uint8_t)(code >> 8);
	p[(*n)++] = (uint8_t)code;
	p[(*n)++] = (uint8_t)(len >> 8);
	p[(*n)++] = (uint8_t)len;
	memcpy(p + *n, val, len);
	*n += len;
}

/* A header of this type with no options; returns 12. */
static size_t
hdr(uint8_t *p, uint8_t type)
{
	memset(p, 0, FO_MSG_HDR);
	p[2] = type;
	p[3] = FO_MSG_HDR;
	return FO_MSG_HDR;
}

/*
 * Golden messages.
 */

/* CONNECT as a dhcpfod primary sends it (draft-12 §7.8; docs/FAILOVER.md §2):
 * HBA split 128, max-unacked 100, MCLT 3600, receive-timer 20, version 1,
 * relationship "r1", TLS-request 0, vendor class "dhcpfod-0.1.0". */
static const char connect_hex[] =
	"0069 05 0c 5f5e1000 00000000"
	"000b 0020 ffffffffffffffffffffffffffffffff"
	"          00000000000000000000000000000000"
	"000e 0004 00000064"
	"000f 0004 00000e10"
	"0013 0004 00000014"
	"0014 0001 01"
	"0016 0002 7231"
	"001b 0001 00"
	"001c 000d 64686370666f642d302e312e30";

static void
connect_msg(struct fo_msg *c)
{
	memset(c, 0, sizeof(*c));
	c->type = FO_CONNECT;
	c->payload_off = FO_MSG_HDR;
	c->time = T0;
	c->xid = 0;
	c->has = FO_M_HBA | FO_M_MAX_UNACKED | FO_M_MCLT | FO_M_RECEIVE_TIMER |
	    FO_M_PROTOCOL_VERSION | FO_M_RELATIONSHIP | FO_M_TLS_REQUEST |
	    FO_M_VENDOR_CLASS;
	fo_hba_split(c->hba, 128);
	c->max_unacked = 100;
	c->mclt = 3600;
	c->receive_timer = 20;
	c->protocol_version = 1;
	strcpy(c->relationship, "r1");
	c->tls_request = 0;
	strcpy(c->vendor_class, "dhcpfod-0.1.0");
}

/* One ACTIVE binding (draft-12 §7.1 Table 7.1-1), options in code order:
 * 10.1.0.50, client-id 01:52:54:00:12:34:56, chaddr htype 1 52:54:00:12:34:56,
 * CLTT T0+100, lease-expiration +3600, potential-expiration +7200, STOS. */
static const char bndupd_hex[] =
	"004f 03 0c 5f5e1064 00000007"
	"0002 0004 0a010032"
	"0003 0001 02"
	"0004 0007 01525400123456"
	"0005 0007 01525400123456"
	"0006 0004 5f5e1064"
	"000d 0004 5f5e1e74"
	"0012 0004 5f5e2c84"
	"0019 0004 5f5e1064";

static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void
active_binding(struct fo_binding *b, uint32_t addr, uint32_t cltt)
{
	memset(b, 0, sizeof(*b));
	b->addr = addr;
	b->has = FO_B_STATUS | FO_B_CID | FO_B_CHADDR | FO_B_CLTT |
	    FO_B_LEASE_EXP | FO_B_POT_EXP | FO_B_STOS;
	b->status = LEASE_ACTIVE;
	b->cid[0] = 1;
	memcpy(b->cid + 1, mac1, 6);
	b->cidlen = 7;
	b->htype = 1;
	memcpy(b->chaddr, mac1, 6);
	b->hlen = 6;
	b->cltt = cltt;
	b->lease_exp = cltt + 3600;
	b->pot_exp = cltt + 7200;
	b->stos = cltt;
}

static void
bndupd_msg(struct fo_msg *u)
{
	memset(u, 0, sizeof(*u));
	u->type = FO_BNDUPD;
	u->payload_off = FO_MSG_HDR;
	u->time = T0 + 100;
	u->xid = 7;
	active_binding(&u->b[0], 0x0a010032, T0 + 100);
	u->nb = 1;
}

/* Two messages are the same, byte for byte; the first difference is named
 * by its offset, and by binding or range index when inside one. */
static void
same_msg(const struct fo_msg *a, const struct fo_msg *b)
{
	const uint8_t *pa = (const void *)a, *pb = (const void *)b;
	size_t i, boff = offsetof(struct fo_msg, b), roff = offsetof(struct fo_msg, r);

	for (i = 0; i < sizeof(*a) && pa[i] == pb[i]; i++)
		;
	if (i == sizeof(*a))
		return;
	if (i >= boff && i < roff)
		ck_abort_msg("messages differ in b[%zu] at byte %zu",
		    (i - boff) / sizeof(a->b[0]), (i - boff) % sizeof(a->b[0]));
	ck_abort_msg("messages differ at byte %zu (r[] at %zu)", i, roff);
}

/* Decodes wire[0..n-1] into got; fails the test with the error if any. */
static void
decode_ok(const uint8_t *p, size_t n, struct fo_msg *out)
{
	int rc = fo_msg_decode(p, n, out, err, sizeof(err));

	ck_assert_msg(rc == 0, "decode failed: %s", err);
}

START_TEST(test_golden_connect_encode)
{
	size_t n, len;

	n = unhex(connect_hex, wire2, sizeof(wire2));
	connect_msg(&m);
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(wire, wire2, n);
}
END_TEST

START_TEST(test_golden_connect_decode)
{
	size_t n = unhex(connect_hex, wire, sizeof(wire));

	decode_ok(wire, n, &got);
	connect_msg(&m);
	ck_assert_str_eq(got.relationship, "r1");
	ck_assert_str_eq(got.vendor_class, "dhcpfod-0.1.0");
	ck_assert_uint_eq(got.mclt, 3600);
	ck_assert_uint_eq(got.hba[15], 0xff);
	ck_assert_uint_eq(got.hba[16], 0);
	same_msg(&got, &m);
}
END_TEST

START_TEST(test_golden_bndupd)
{
	size_t n = unhex(bndupd_hex, wire2, sizeof(wire2)), len;

	bndupd_msg(&m);
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(wire, wire2, n);
	decode_ok(wire2, n, &got);
	ck_assert_uint_eq(got.nb, 1);
	ck_assert_uint_eq(got.b[0].addr, 0x0a010032);
	ck_assert_uint_eq(got.b[0].status, LEASE_ACTIVE);
	ck_assert_uint_eq(got.b[0].htype, 1);
	ck_assert_uint_eq(got.b[0].hlen, 6);
	ck_assert_uint_eq(got.b[0].pot_exp, T0 + 100 + 7200);
	same_msg(&got, &m);
}
END_TEST

/*
 * Round trips of every message type with realistic options.
 */

typedef void	 build_fn(struct fo_msg *);

static void
b_poolreq(struct fo_msg *x)
{
	x->xid = 11;
}

static void
b_poolresp(struct fo_msg *x)
{
	x->xid = 11;
	x->has = FO_M_ADDR_TRANSFERRED;
	x->addr_transferred = 42;
}

/* Field by field: a struct copy may carry indeterminate padding. */
static void
set_range(struct fo_range *r, uint32_t start, uint32_t end, uint8_t status)
{
	r->start = start;
	r->end = end;
	r->status = status;
}

/* Two transactions and two range moves (dhcpfod peers). */
static void
b_bndupd(struct fo_msg *x)
{
	struct fo_binding *f = &x->b[1];

	active_binding(&x->b[0], 0x0a010032, T0);
	x->b[0].has |= FO_B_FLAGS;
	x->b[0].ip_flags = FO_IP_FLAG_RESERVED;
	f->addr = 0x0a010033;
	f->has = FO_B_STATUS | FO_B_STOS;
	f->status = LEASE_FREE;
	f->stos = T0 - 5;
	x->nb = 2;
	set_range(&x->r[0], 0x0a010040, 0x0a01007f, LEASE_BACKUP);
	set_range(&x->r[1], 0x0a010080, 0x0a010080, LEASE_FREE);
	x->nr = 2;
}

/* One accepted, one rejected with a reason and a message (draft-12 §7.2). */
static void
b_bndack(struct fo_msg *x)
{
	x->b[0].addr = 0x0a010032;
	x->b[1].addr = 0x0a010033;
	x->b[1].has = FO_B_REJECT | FO_B_MESSAGE;
	x->b[1].reject = FO_REJ_OUTDATED;
	strcpy(x->b[1].message, "outdated binding information");
	x->nb = 2;
}

static void
b_connect(struct fo_msg *x)
{
	uint32_t t = x->time;

	connect_msg(x);
	x->time = t;
	x->has |= FO_M_DELAYED_SERVICE;
	x->delayed_service = 3;
}

static void
b_connectack(struct fo_msg *x)
{
	x->has = FO_M_RELATIONSHIP | FO_M_MAX_UNACKED | FO_M_RECEIVE_TIMER |
	    FO_M_VENDOR_CLASS | FO_M_PROTOCOL_VERSION | FO_M_TLS_REPLY |
	    FO_M_REJECT | FO_M_MESSAGE;
	strcpy(x->relationship, "dhcp-failover \xc3\xa9t\xc3\xa9");
	x->max_unacked = 10;
	x->receive_timer = 60;
	strcpy(x->vendor_class, "isc-4.4.3-P1");
	x->protocol_version = 1;
	x->reject = FO_REJ_TIME_MISMATCH;
	strcpy(x->message, "clock skew 75 s");
}

static void
b_state(struct fo_msg *x)
{
	x->has = FO_M_SERVER_STATE | FO_M_SERVER_FLAGS | FO_M_STOS;
	x->server_state = 3;
	x->server_flags = FO_SERVER_FLAG_STARTUP;
	x->stos = T0 - 3600;
}

static void
b_disconnect(struct fo_msg *x)
{
	x->has = FO_M_REJECT | FO_M_MESSAGE;
	x->reject = FO_REJ_NO_TRAFFIC;
	strcpy(x->message, "no traffic within sufficient time");
}

static void
b_bare(struct fo_msg *x)
{
}

static const struct rt_case {
	uint8_t		 type;
	build_fn	*build;
} rt_cases[] = {
	{ FO_POOLREQ, b_poolreq }, { FO_POOLRESP, b_poolresp },
	{ FO_BNDUPD, b_bndupd }, { FO_BNDACK, b_bndack },
	{ FO_CONNECT, b_connect }, { FO_CONNECTACK, b_connectack },
	{ FO_UPDREQALL, b_bare }, { FO_UPDDONE, b_bare },
	{ FO_UPDREQ, b_bare }, { FO_STATE, b_state },
	{ FO_CONTACT, b_bare }, { FO_DISCONNECT, b_disconnect },
	{ 200, b_bare },
};

static void
build_rt(const struct rt_case *c, struct fo_msg *x)
{
	memset(x, 0, sizeof(*x));
	x->time = T0 + 7;
	x->xid = 0x01020304;
	c->build(x);
	x->type = c->type;
	x->payload_off = FO_MSG_HDR;
}

START_TEST(test_roundtrip)
{
	const struct rt_case *c = &rt_cases[_i];
	size_t len;

	build_rt(c, &m);
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), 0);
	ck_assert_int_eq(fo_msg_frame_len(wire, len), (int)len);
	ck_assert_uint_eq(wire[2], c->type);
	decode_ok(wire, len, &got);
	same_msg(&got, &m);
}
END_TEST

/* The same, signed: the digest is recorded and the rest unchanged. */
START_TEST(test_roundtrip_signed)
{
	const struct rt_case *c = &rt_cases[_i];
	size_t len;

	build_rt(c, &m);
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), 0);
	ck_assert_int_eq(fo_msg_sign(wire, &len, sizeof(wire), "k"), 0);
	ck_assert_int_eq(fo_msg_verify(wire, len, "k"), 0);
	if (c->type > FO_DISCONNECT)
		return;		/* options of unknown types are skipped */
	decode_ok(wire, len, &got);
	ck_assert(got.has & FO_M_DIGEST);
	ck_assert_uint_eq(got.digest_type, FO_DIGEST_HMAC_SHA256);
	got.has &= ~(uint32_t)FO_M_DIGEST;
	got.digest_type = 0;
	same_msg(&got, &m);
}
END_TEST

/*
 * Decoding: errors. Lengths are filled in unless the case is about them.
 */

#define HDR(type)	"0000" type "0c 5f5e1000 00000001"
#define DIGEST32	"00112233445566778899aabbccddeeff" \
			"00112233445566778899aabbccddeeff"

static const struct bad_case {
	const char	*what;
	const char	*hex;
	int		 keeplen;	/* 1: the length field is as written */
	const char	*expect;	/* in the error sentence */
} bad_cases[] = {
	{ "truncated header", "000b 05 0c 00000000 000000", 1, "truncated" },
	{ "empty", "", 1, "truncated" },
	{ "length field too long", "0010 05 0c 00000000 00000000", 1,
	  "length field" },
	{ "length field too short",
	  "000c 05 0c 00000000 00000000 000f 0004 00000e10", 1,
	  "length field" },
	{ "payload offset < 12", "0000 05 08 00000000 00000000", 0,
	  "below" },
	{ "payload offset > length", "0000 05 20 00000000 00000000", 0,
	  "past the end" },
	{ "duplicate option",
	  HDR("05") "000f 0004 00000e10 000e 0004 00000064 000f 0004 00000e10",
	  0, "twice" },
	{ "duplicate option in BNDUPD outside bindings",
	  HDR("03") "0016 0001 72 00020004 0a010032 0016 0001 72", 0,
	  "twice" },
	{ "duplicate binding option",
	  HDR("03") "0002 0004 0a010032 0003 0001 02 0003 0001 03", 0,
	  "twice in binding" },
	{ "binding option before assigned-IP",
	  HDR("03") "0003 0001 02 0002 0004 0a010032", 0, "before any" },
	{ "STOS before assigned-IP in BNDUPD",
	  HDR("03") "0019 0004 5f5e1000 0002 0004 0a010032", 0,
	  "before any" },
	{ "reject-reason before assigned-IP in BNDACK",
	  HDR("04") "0015 0001 0f 0002 0004 0a010032", 0, "before any" },
	{ "wrong fixed length (MCLT of 2)", HDR("05") "000f 0002 0e10", 0,
	  "expected 4" },
	{ "assigned-IP of 3", HDR("03") "0002 0003 0a0100", 0,
	  "expected 4" },
	{ "IP-flags of 1 (draft figure; ISC: 2)",
	  HDR("03") "0002 0004 0a010032 000c 0001 01", 0, "expected 2" },
	{ "server-state of 2", HDR("0a") "0018 0002 0002", 0, "expected 1" },
	{ "HBA of 31 bytes",
	  HDR("05") "000b 001f ffffffffffffffffffffffffffffffff"
	  "0000000000000000000000000000ff", 0, "expected 32" },
	{ "HBA of 33 bytes",
	  HDR("05") "000b 0021 ffffffffffffffffffffffffffffffff"
	  "00000000000000000000000000000000ff", 0, "expected 32" },
	{ "htype 0",
	  HDR("03") "0002 0004 0a010032 0005 0007 00525400123456", 0,
	  "htype 0" },
	{ "chaddr without htype", HDR("03") "0002 0004 0a010032 0005 0000", 0,
	  "no htype" },
	{ "chaddr of 17 bytes after htype",
	  HDR("03") "0002 0004 0a010032 0005 0012 01"
	  "00112233445566778899aabbccddeeff00", 0, "at most 17" },
	{ "digest not last",
	  HDR("05") "0011 0021 02" DIGEST32 "000f 0004 00000e10", 0,
	  "follows the message digest" },
	{ "unknown option after the digest",
	  HDR("05") "0011 0021 02" DIGEST32 "00c8 0000", 0,
	  "follows the message digest" },
	{ "digest without type", HDR("05") "0011 0000", 0, "no digest type" },
	{ "range start > end",
	  HDR("03") "001d 000d 0001 0009 0a010064 0a010032 01", 0,
	  "ends before" },
	{ "range to ACTIVE",
	  HDR("03") "001d 000d 0001 0009 0a010032 0a010064 02", 0,
	  "to state 2" },
	{ "range to OFFERED",
	  HDR("03") "001d 000d 0001 0009 0a010032 0a010064 08", 0,
	  "to state 8" },
	{ "range of 8 bytes",
	  HDR("03") "001d 000c 0001 0008 0a010032 0a010064", 0, "8 bytes" },
	{ "truncated vendor sub-option",
	  HDR("03") "001d 0006 0001 0009 0a01", 0, "truncated sub-option" },
	{ "two vendor options",
	  HDR("03") "001d 0000 001d 0000", 0, "twice" },
	{ "type 13 with options", HDR("0d") "000f 0004 00000e10", 0,
	  "unknown message type 13" },
	{ "type 127 with options", HDR("7f") "00c8 0000", 0,
	  "unknown message type 127" },
	{ "type 0 with options", HDR("00") "000f 0004 00000e10", 0,
	  "unknown message type 0" },
	{ "option value past the end", HDR("05") "000f 0004 0000", 0,
	  "truncated option" },
	{ "option header cut", HDR("05") "000f 00", 0, "truncated option" },
	{ "relationship with a NUL", HDR("05") "0016 0003 720031", 0,
	  "NUL inside" },
};

START_TEST(test_decode_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	size_t n = unhex(c->hex, wire, sizeof(wire));

	if (!c->keeplen && n >= 2)
		setlen(wire, n);
	err[0] = '\0';
	ck_assert_msg(fo_msg_decode(wire, n, &got, err, sizeof(err)) == -1,
	    "%s: decoded", c->what);
	ck_assert_msg(strstr(err, c->expect) != NULL,
	    "%s: error '%s', expected '%s'", c->what, err, c->expect);
}
END_TEST

/* BNDUPD with n assigned-IP transactions. */
static size_t
many_bindings(uint8_t *p, size_t n)
{
	size_t len = hdr(p, FO_BNDUPD);
	uint8_t ip[4] = { 10, 1, 0, 0 };
	uint8_t st = LEASE_BACKUP;

	for (size_t i = 0; i < n; i++) {
		ip[3] = (uint8_t)i;
		tlv(p, &len, FO_OPT_ASSIGNED_IP, ip, 4);
		tlv(p, &len, FO_OPT_BINDING_STATUS, &st, 1);
	}
	setlen(p, len);
	return len;
}

START_TEST(test_decode_too_many_bindings)
{
	size_t n = many_bindings(wire, FO_MSG_BINDINGS);

	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.nb, FO_MSG_BINDINGS);
	ck_assert_uint_eq(got.b[FO_MSG_BINDINGS - 1].addr,
	    0x0a010000 + FO_MSG_BINDINGS - 1);
	n = many_bindings(wire, FO_MSG_BINDINGS + 1);
	ck_assert_int_eq(fo_msg_decode(wire, n, &got, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than 64 binding"));
}
END_TEST

/* BNDUPD with n range moves in one option 29. */
static size_t
many_ranges(uint8_t *p, size_t n)
{
	uint8_t val[MAXMSG];
	size_t len = hdr(p, FO_BNDUPD), vlen = 0;
	uint8_t r[9] = { 10, 1, 0, 0, 10, 1, 0, 0, LEASE_FREE };

	for (size_t i = 0; i < n; i++) {
		r[2] = r[6] = (uint8_t)i;
		tlv(val, &vlen, 1, r, sizeof(r));
	}
	tlv(p, &len, FO_OPT_VENDOR_OPTIONS, val, (uint16_t)vlen);
	setlen(p, len);
	return len;
}

START_TEST(test_decode_too_many_ranges)
{
	size_t n = many_ranges(wire, FO_MSG_RANGES);

	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.nr, FO_MSG_RANGES);
	ck_assert_uint_eq(got.r[3].start, 0x0a010300);
	n = many_ranges(wire, FO_MSG_RANGES + 1);
	ck_assert_int_eq(fo_msg_decode(wire, n, &got, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than 64 range"));
}
END_TEST

/* A relationship name of 255 bytes is kept whole, 256 refused (never cut:
 * it identifies the partner). */
START_TEST(test_decode_relationship_length)
{
	uint8_t name[256];
	size_t n;

	memset(name, 'r', sizeof(name));
	n = hdr(wire, FO_CONNECT);
	tlv(wire, &n, FO_OPT_RELATIONSHIP, name, 255);
	setlen(wire, n);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(strlen(got.relationship), 255);
	n = hdr(wire, FO_CONNECT);
	tlv(wire, &n, FO_OPT_RELATIONSHIP, name, 256);
	setlen(wire, n);
	ck_assert_int_eq(fo_msg_decode(wire, n, &got, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "at most 255"));
}
END_TEST

/* A client-identifier of 255 bytes fits, 256 does not. */
START_TEST(test_decode_cid_length)
{
	uint8_t cid[256], ip[4] = { 10, 1, 0, 9 };
	size_t n;

	memset(cid, 0x61, sizeof(cid));
	n = hdr(wire, FO_BNDUPD);
	tlv(wire, &n, FO_OPT_ASSIGNED_IP, ip, 4);
	tlv(wire, &n, FO_OPT_CLIENT_ID, cid, 255);
	setlen(wire, n);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.b[0].cidlen, 255);
	n = hdr(wire, FO_BNDUPD);
	tlv(wire, &n, FO_OPT_ASSIGNED_IP, ip, 4);
	tlv(wire, &n, FO_OPT_CLIENT_ID, cid, 256);
	setlen(wire, n);
	ck_assert_int_eq(fo_msg_decode(wire, n, &got, err, sizeof(err)), -1);
}
END_TEST

/* Over 2048 bytes is refused even when the length field agrees. */
START_TEST(test_decode_too_long)
{
	uint8_t big[FO_MSG_MAX];
	size_t n = hdr(wire, 200);

	memset(big, 0, sizeof(big));
	tlv(wire, &n, 300, big, (uint16_t)(FO_MSG_MAX - FO_MSG_HDR - 4));
	setlen(wire, n);
	ck_assert_uint_eq(n, FO_MSG_MAX);
	decode_ok(wire, n, &got);
	n = hdr(wire, 200);
	tlv(wire, &n, 300, big, (uint16_t)(FO_MSG_MAX - FO_MSG_HDR - 3));
	setlen(wire, n);
	ck_assert_int_eq(fo_msg_decode(wire, n, &got, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "at most 2048"));
}
END_TEST

/*
 * Decoding: what is accepted.
 */

/* ISC: any payload offset >= 12, the extra header bytes skipped. */
START_TEST(test_decode_payload_offset_16)
{
	size_t n = msg_hex("0000 05 10 5f5e1000 00000009 deadbeef"
	    "000f 0004 00000e10", wire);

	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.payload_off, 16);
	ck_assert_uint_eq(got.xid, 9);
	ck_assert_uint_eq(got.has, FO_M_MCLT);
	ck_assert_uint_eq(got.mclt, 3600);
	/* an offset equal to the length: no options */
	n = msg_hex("0000 05 10 5f5e1000 00000009 deadbeef", wire);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.has, 0);
}
END_TEST

/* Unknown codes are skipped (draft-12 §6.2), and so are known codes that
 * this type of message does not carry, in and out of bindings. */
START_TEST(test_decode_unknown_skipped)
{
	size_t n = msg_hex(HDR("05") "00c8 0003 010203 000f 0004 00000e10"
	    "0003 0001 02 ffff 0000", wire);

	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.has, FO_M_MCLT);
	ck_assert_uint_eq(got.nb, 0);
	n = msg_hex(HDR("03") "0002 0004 0a010032 0007 0006 638253633501"
	    "0009 0003 000000 0003 0001 07 001e 0001 00", wire);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.nb, 1);
	ck_assert_uint_eq(got.b[0].has, FO_B_STATUS);
	ck_assert_uint_eq(got.b[0].status, LEASE_BACKUP);
	/* an unknown vendor sub-option around a range move */
	n = msg_hex(HDR("03") "001d 0015 0063 0004 01020304"
	    "0001 0009 0a010032 0a010064 07", wire);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.nr, 1);
	ck_assert_uint_eq(got.r[0].end, 0x0a010064);
	ck_assert_uint_eq(got.r[0].status, LEASE_BACKUP);
}
END_TEST

/* Unknown types: 13..127 without options are decoded; 128..255 are
 * decoded with their options skipped, whatever they hold. */
START_TEST(test_decode_unknown_types)
{
	size_t n = msg_hex(HDR("0d"), wire);

	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.type, 13);
	n = msg_hex(HDR("80") "000f 0004 00000e10 000f 0004", wire);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.type, 128);
	ck_assert_uint_eq(got.has, 0);
	ck_assert_str_eq(fo_msg_type_name(got.type), "type-128");
}
END_TEST

/* Three transactions in one BNDUPD (draft-12 §6.3, dhcpfod peers), each
 * with its own options; message-level options may sit between them. */
START_TEST(test_decode_batched_bndupd)
{
	size_t n = msg_hex(HDR("03")
	    "0002 0004 0a010032 0003 0001 02 0005 0007 01525400123456"
	    "0006 0004 5f5e1000 000d 0004 5f5e1e10 0012 0004 5f5e2c20"
	    "0002 0004 0a010033 0003 0001 03 0005 0007 01525400abcdef"
	    "0010 0003 787878"
	    "0002 0004 0a010034 0003 0001 05 000c 0002 0001 0019 0004 5f5e0000",
	    wire);
	struct fo_binding *b = got.b;

	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.nb, 3);
	ck_assert_uint_eq(b[0].addr, 0x0a010032);
	ck_assert_uint_eq(b[0].status, LEASE_ACTIVE);
	ck_assert_uint_eq(b[0].has, FO_B_STATUS | FO_B_CHADDR | FO_B_CLTT |
	    FO_B_LEASE_EXP | FO_B_POT_EXP);
	ck_assert_uint_eq(b[0].lease_exp, T0 + 3600);
	ck_assert_uint_eq(b[1].addr, 0x0a010033);
	ck_assert_uint_eq(b[1].status, LEASE_EXPIRED);
	ck_assert_uint_eq(b[1].has, FO_B_STATUS | FO_B_CHADDR);
	ck_assert_uint_eq(b[1].chaddr[5], 0xef);
	ck_assert_uint_eq(b[2].status, LEASE_ABANDONED);
	ck_assert_uint_eq(b[2].has, FO_B_STATUS | FO_B_FLAGS | FO_B_STOS);
	ck_assert_uint_eq(b[2].ip_flags, FO_IP_FLAG_RESERVED);
	ck_assert_uint_eq(b[2].stos, 0x5f5e0000);
	/* message (16) is message-level in a BNDUPD */
	ck_assert_uint_eq(got.has, FO_M_MESSAGE);
	ck_assert_str_eq(got.message, "xxx");
}
END_TEST

/* A BNDACK: reject-reason and message belong to the address before them. */
START_TEST(test_decode_bndack_rejects)
{
	size_t n = msg_hex(HDR("04") "0002 0004 0a010032"
	    "0002 0004 0a010033 0015 0001 02 0010 0004 64756f6f"
	    "0002 0004 0a010034 0015 0001 10", wire);

	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.nb, 3);
	ck_assert_uint_eq(got.b[0].has, 0);
	ck_assert_uint_eq(got.b[1].has, FO_B_REJECT | FO_B_MESSAGE);
	ck_assert_uint_eq(got.b[1].reject, FO_REJ_FATAL_CONFLICT);
	ck_assert_str_eq(got.b[1].message, "duoo");
	ck_assert_uint_eq(got.b[2].reject, FO_REJ_LESS_CRITICAL);
	ck_assert_uint_eq(got.has, 0);
}
END_TEST

/* Text: cut at a NUL, and at 255 bytes without splitting UTF-8. */
START_TEST(test_decode_text)
{
	uint8_t text[400];
	size_t n;

	memset(text, 'a', sizeof(text));
	n = hdr(wire, FO_DISCONNECT);
	tlv(wire, &n, FO_OPT_MESSAGE, text, 300);
	setlen(wire, n);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(strlen(got.message), 255);
	/* 254 'a' then U+00E9 (2 bytes) straddling the 255th byte */
	text[254] = 0xc3;
	text[255] = 0xa9;
	n = hdr(wire, FO_DISCONNECT);
	tlv(wire, &n, FO_OPT_MESSAGE, text, 300);
	setlen(wire, n);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(strlen(got.message), 254);
	/* a NUL ends it */
	n = msg_hex(HDR("06") "001c 0007 6973630078797a", wire);
	decode_ok(wire, n, &got);
	ck_assert_str_eq(got.vendor_class, "isc");
	/* empty strings are present and empty */
	n = msg_hex(HDR("06") "0016 0000 001c 0000", wire);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.has, FO_M_RELATIONSHIP | FO_M_VENDOR_CLASS);
	ck_assert_str_eq(got.relationship, "");
}
END_TEST

/* The digest's type is recorded; the bytes are fo_msg_verify's. */
START_TEST(test_decode_digest_last)
{
	size_t n = msg_hex(HDR("0b") "0011 0021 02" DIGEST32, wire);

	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.has, FO_M_DIGEST);
	ck_assert_uint_eq(got.digest_type, FO_DIGEST_HMAC_SHA256);
	n = msg_hex(HDR("0b") "0011 0011 01 00112233445566778899aabbccddeeff",
	    wire);
	decode_ok(wire, n, &got);
	ck_assert_uint_eq(got.digest_type, 1);
}
END_TEST

/* A NULL or zero-size error buffer is allowed. */
START_TEST(test_decode_no_errbuf)
{
	size_t n = msg_hex(HDR("05") "000f 0002 0e10", wire);

	ck_assert_int_eq(fo_msg_decode(wire, n, &got, NULL, 0), -1);
	ck_assert_int_eq(fo_msg_decode(wire, n, &got, err, 0), -1);
}
END_TEST

/*
 * Encoding: what is refused.
 */

START_TEST(test_encode_cap)
{
	size_t len, need;

	connect_msg(&m);
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &need), 0);
	ck_assert_int_eq(fo_msg_encode(&m, wire, need, &len), 0);
	ck_assert_uint_eq(len, need);
	ck_assert_int_eq(fo_msg_encode(&m, wire, need - 1, &len), -1);
	ck_assert_int_eq(fo_msg_encode(&m, wire, 0, &len), -1);
}
END_TEST

/* 64 bindings with 255-byte client-ids are far over 2048 bytes. */
START_TEST(test_encode_max)
{
	size_t len;

	memset(&m, 0, sizeof(m));
	m.type = FO_BNDUPD;
	for (size_t i = 0; i < FO_MSG_BINDINGS; i++) {
		m.b[i].addr = 0x0a010000 + (uint32_t)i;
		m.b[i].has = FO_B_CID;
		m.b[i].cidlen = 255;
	}
	m.nb = FO_MSG_BINDINGS;
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), -1);
	m.nb = 7;		/* 7 x 267 + 12 = 1881 */
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), 0);
	ck_assert_uint_eq(len, 1881);
	m.nb = 8;		/* 2148 */
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), -1);
	m.nb = FO_MSG_BINDINGS + 1;
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), -1);
}
END_TEST

/* A message's length is its bare encoding plus each binding's length, in
 * BNDUPD and BNDACK; what the encoder refuses has length 0. */
START_TEST(test_binding_len)
{
	size_t bare, len, sum;

	for (int t = 0; t < 2; t++) {
		memset(&m, 0, sizeof(m));
		m.type = t ? FO_BNDACK : FO_BNDUPD;
		if (!t) {	/* message-level only in a BNDUPD */
			m.has = FO_M_MESSAGE;
			strcpy(m.message, "batch");
		}
		ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &bare), 0);
		sum = bare;
		for (size_t i = 0; i < 5; i++) {
			struct fo_binding *b = &m.b[i];

			b->addr = 0x0a010000 + (uint32_t)i;
			b->has = FO_B_STATUS | (i & 1 ? FO_B_CID : 0) |
			    (i & 2 ? FO_B_CHADDR | FO_B_LEASE_EXP : 0);
			b->status = LEASE_ACTIVE;
			b->cidlen = (uint8_t)(3 * i);
			b->htype = 1;
			b->hlen = 6;
			b->lease_exp = T0;
			if (t && i == 4) {
				b->has = FO_B_REJECT;
				b->reject = 2;
			}
			sum += fo_msg_binding_len(m.type, b);
		}
		m.nb = 5;
		ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), 0);
		ck_assert_uint_eq(len, sum);
		ck_assert_uint_gt(sum, bare + 5 * 8);
	}
	m.b[0].htype = 0;	/* refused by the encoder */
	m.b[0].has |= FO_B_CHADDR;
	ck_assert_uint_eq(fo_msg_binding_len(FO_BNDUPD, &m.b[0]), 0);
	ck_assert_uint_eq(fo_msg_binding_len(FO_CONNECT, &m.b[1]), 0);
	m.b[1].has |= FO_B_REJECT;	/* a reject reason is no BNDUPD option */
	ck_assert_uint_eq(fo_msg_binding_len(FO_BNDUPD, &m.b[1]), 0);
}
END_TEST

/* What the decoder would refuse, the encoder refuses. */
static void
e_bindings_in_connect(struct fo_msg *x)
{
	connect_msg(x);
	x->nb = 1;
}

static void
e_htype0(struct fo_msg *x)
{
	bndupd_msg(x);
	x->b[0].htype = 0;
}

static void
e_hlen17(struct fo_msg *x)
{
	bndupd_msg(x);
	x->b[0].hlen = 17;
}

static void
e_range_backwards(struct fo_msg *x)
{
	bndupd_msg(x);
	set_range(&x->r[0], 10, 9, LEASE_FREE);
	x->nr = 1;
}

static void
e_range_active(struct fo_msg *x)
{
	bndupd_msg(x);
	set_range(&x->r[0], 9, 10, LEASE_ACTIVE);
	x->nr = 1;
}

static void
e_too_many_ranges(struct fo_msg *x)
{
	bndupd_msg(x);
	x->nr = FO_MSG_RANGES + 1;
}

static void
e_reject_in_bndupd(struct fo_msg *x)
{
	bndupd_msg(x);
	x->b[0].has |= FO_B_REJECT;
}

static void
e_msg_reject_in_bndack(struct fo_msg *x)
{
	bndupd_msg(x);
	x->type = FO_BNDACK;
	x->b[0].has = 0;
	x->has = FO_M_REJECT;
}

static void
e_msg_stos_in_bndupd(struct fo_msg *x)
{
	bndupd_msg(x);
	x->has = FO_M_STOS;
}

static void
e_options_type13(struct fo_msg *x)
{
	connect_msg(x);
	x->type = 13;
}

static void
e_ranges_type200(struct fo_msg *x)
{
	e_range_active(x);
	x->r[0].status = LEASE_FREE;
	x->nb = 0;
	x->type = 200;
}

static build_fn *const enc_bad[] = {
	e_bindings_in_connect, e_htype0, e_hlen17, e_range_backwards,
	e_range_active, e_too_many_ranges, e_reject_in_bndupd,
	e_msg_reject_in_bndack, e_msg_stos_in_bndupd, e_options_type13,
	e_ranges_type200,
};

START_TEST(test_encode_bad)
{
	size_t len;

	memset(&m, 0, sizeof(m));
	enc_bad[_i](&m);
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), -1);
}
END_TEST

/* The digest flag alone does not write an option: fo_msg_sign does. */
START_TEST(test_encode_digest_flag)
{
	size_t len;

	memset(&m, 0, sizeof(m));
	m.type = FO_CONTACT;
	m.has = FO_M_DIGEST;
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &len), 0);
	ck_assert_uint_eq(len, FO_MSG_HDR);
}
END_TEST

/*
 * Framing.
 */

static const struct frame_case {
	const char	*hex;
	int		 want;
} frame_cases[] = {
	{ "", 0 }, { "00", 0 }, { "000b", -1 }, { "000c", 12 },
	{ "0000", -1 }, { "0800", 2048 }, { "0801", -1 }, { "ffff", -1 },
	{ "0069 05 0c", 105 },
};

START_TEST(test_frame_len)
{
	const struct frame_case *c = &frame_cases[_i];
	size_t n = unhex(c->hex, wire, sizeof(wire));

	ck_assert_int_eq(fo_msg_frame_len(wire, n), c->want);
}
END_TEST

/*
 * Message digest (HMAC-SHA256, docs/FAILOVER.md §3).
 */

/* The golden CONNECT signed with "s3cret": length 0x8e, the option last,
 * and the MAC a separate implementation computed over the first 105 bytes
 * with the final length in them. */
START_TEST(test_sign_golden)
{
	static const char mac_hex[] =
	    "152bc691597e5a79be9553c63cfd3f6a619697cc35466622adc88cb554306bec";
	uint8_t mac[32];
	size_t n = unhex(connect_hex, wire, sizeof(wire));

	unhex(mac_hex, mac, sizeof(mac));
	ck_assert_int_eq(fo_msg_sign(wire, &n, sizeof(wire), "s3cret"), 0);
	ck_assert_uint_eq(n, 0x8e);
	ck_assert_uint_eq(wire[0], 0x00);
	ck_assert_uint_eq(wire[1], 0x8e);
	unhex("0011 0021 02", wire2, sizeof(wire2));
	ck_assert_mem_eq(wire + 105, wire2, 5);
	ck_assert_mem_eq(wire + 110, mac, 32);
	ck_assert_int_eq(fo_msg_verify(wire, n, "s3cret"), 0);
}
END_TEST

static size_t
signed_connect(uint8_t *p, const char *secret)
{
	size_t n;

	connect_msg(&m);
	ck_assert_int_eq(fo_msg_encode(&m, p, MAXMSG, &n), 0);
	ck_assert_int_eq(fo_msg_sign(p, &n, MAXMSG, secret), 0);
	return n;
}

START_TEST(test_verify_wrong_secret)
{
	size_t n = signed_connect(wire, "s3cret");

	ck_assert_int_eq(fo_msg_verify(wire, n, "s3cret"), 0);
	ck_assert_int_eq(fo_msg_verify(wire, n, "s3cret!"), -1);
	ck_assert_int_eq(fo_msg_verify(wire, n, "S3cret"), -1);
	ck_assert_int_eq(fo_msg_verify(wire, n, ""), -1);
	ck_assert_int_eq(fo_msg_verify(wire, n, NULL), -1);
}
END_TEST

/* Any one bit flipped anywhere, digest included, fails. */
START_TEST(test_verify_tampered)
{
	size_t n = signed_connect(wire, "s3cret");

	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			wire[i] ^= (uint8_t)(1 << bit);
			ck_assert_msg(fo_msg_verify(wire, n, "s3cret") == -1,
			    "byte %zu bit %d flipped: verified", i, bit);
			wire[i] ^= (uint8_t)(1 << bit);
		}
	}
	ck_assert_int_eq(fo_msg_verify(wire, n, "s3cret"), 0);
}
END_TEST

START_TEST(test_verify_missing)
{
	size_t n;

	connect_msg(&m);
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &n), 0);
	ck_assert_int_eq(fo_msg_verify(wire, n, "s3cret"), -1);
	/* too short to hold one */
	n = msg_hex(HDR("0b"), wire);
	ck_assert_int_eq(fo_msg_verify(wire, n, "s3cret"), -1);
	/* truncated or extended signed messages */
	n = signed_connect(wire, "s3cret");
	ck_assert_int_eq(fo_msg_verify(wire, n - 1, "s3cret"), -1);
	wire[n] = 0;
	ck_assert_int_eq(fo_msg_verify(wire, n + 1, "s3cret"), -1);
}
END_TEST

/* A signed message with another option after the digest no longer ends
 * in it: refused by verify and by decode. */
START_TEST(test_verify_digest_not_last)
{
	size_t n = signed_connect(wire, "s3cret");

	wire[n] = 0x00;
	wire[n + 1] = 0xc8;
	wire[n + 2] = 0x00;
	wire[n + 3] = 0x00;
	n += 4;
	setlen(wire, n);
	ck_assert_int_eq(fo_msg_verify(wire, n, "s3cret"), -1);
	ck_assert_int_eq(fo_msg_decode(wire, n, &got, err, sizeof(err)), -1);
}
END_TEST

/* Sign refuses what does not fit and leaves the message as it was. */
START_TEST(test_sign_limits)
{
	size_t n, n0;

	connect_msg(&m);
	ck_assert_int_eq(fo_msg_encode(&m, wire, sizeof(wire), &n), 0);
	n0 = n;
	memcpy(wire2, wire, n);
	ck_assert_int_eq(fo_msg_sign(wire, &n, n0 + 36, "k"), -1);
	ck_assert_uint_eq(n, n0);
	ck_assert_mem_eq(wire, wire2, n0);
	ck_assert_int_eq(fo_msg_sign(wire, &n, sizeof(wire), NULL), -1);
	ck_assert_int_eq(fo_msg_sign(wire, &n, n0 + 37, "k"), 0);
	ck_assert_uint_eq(n, n0 + 37);
	/* past FO_MSG_MAX */
	n = FO_MSG_MAX - 36;
	hdr(wire, FO_CONTACT);
	ck_assert_int_eq(fo_msg_sign(wire, &n, sizeof(wire), "k"), -1);
	n = FO_MSG_MAX - 37;
	ck_assert_int_eq(fo_msg_sign(wire, &n, sizeof(wire), "k"), 0);
	ck_assert_int_eq(fo_msg_frame_len(wire, n), FO_MSG_MAX);
}
END_TEST

/* Only HMAC-SHA256 (type 2) verifies. */
START_TEST(test_verify_wrong_type)
{
	size_t n = signed_connect(wire, "s3cret");

	wire[n - 33] = 1;
	ck_assert_int_eq(fo_msg_verify(wire, n, "s3cret"), -1);
}
END_TEST

/*
 * Names and numbers.
 */

static const struct wire_case {
	int	 state, wire;
} wire_cases[] = {
	{ FO_NORMAL, 2 }, { FO_COMMUNICATION_INT, 3 }, { FO_PARTNER_DOWN, 4 },
	{ FO_POTENTIAL_CONFLICT, 5 }, { FO_RECOVER, 6 }, { FO_PAUSED, 7 },
	{ FO_SHUTDOWN, 8 }, { FO_RECOVER_DONE, 9 }, { FO_RESOLUTION_INT, 10 },
	{ FO_CONFLICT_DONE, 11 }, { FO_RECOVER_WAIT, 254 },
};

START_TEST(test_state_wire)
{
	const struct wire_case *c = &wire_cases[_i];

	ck_assert_int_eq(fo_state_to_wire(c->state), c->wire);
	ck_assert_int_eq(fo_state_from_wire(c->wire), c->state);
}
END_TEST

START_TEST(test_state_wire_none)
{
	static const int no_wire[] = { FO_NO_STATE, FO_INIT, FO_STARTUP,
	    FO_NSTATES, -1, 254 };
	static const int no_state[] = { 0, 1, 12, 13, 253, 255, -1, 256 };

	for (size_t i = 0; i < nitems(no_wire); i++)
		ck_assert_int_eq(fo_state_to_wire(no_wire[i]), -1);
	for (size_t i = 0; i < nitems(no_state); i++)
		ck_assert_int_eq(fo_state_from_wire(no_state[i]), -1);
}
END_TEST

START_TEST(test_names)
{
	static const char *const types[] = { "type-0", "POOLREQ", "POOLRESP",
	    "BNDUPD", "BNDACK", "CONNECT", "CONNECTACK", "UPDREQALL",
	    "UPDDONE", "UPDREQ", "STATE", "CONTACT", "DISCONNECT", "type-13" };

	for (size_t i = 0; i < nitems(types); i++)
		ck_assert_str_eq(fo_msg_type_name((int)i), types[i]);
	ck_assert_str_eq(fo_msg_type_name(-1), "type--1");
	ck_assert_str_eq(fo_reject_name(FO_REJ_FATAL_CONFLICT),
	    "fatal conflict with another client");
	ck_assert_str_eq(fo_reject_name(FO_REJ_HBA_CONFLICT),
	    "hash bucket assignment conflict");
	ck_assert_str_eq(fo_reject_name(FO_REJ_OTHER), "unknown");
	ck_assert_str_eq(fo_reject_name(22), "reason-22");
	for (int r = 1; r <= 21; r++)
		ck_assert_ptr_null(strstr(fo_reject_name(r), "reason-"));
}
END_TEST

/* ISC's polarity: bucket b is bit (b & 7), LSB first, of byte b >> 3, and
 * set means the primary (docs/FAILOVER.md §1). */
START_TEST(test_hba_split)
{
	uint8_t hba[FO_HBA_LEN], want[FO_HBA_LEN];

	fo_hba_split(hba, 0);
	memset(want, 0, sizeof(want));
	ck_assert_mem_eq(hba, want, sizeof(want));
	for (int b = 0; b < 256; b++)
		ck_assert_int_eq(fo_hba_primary_serves(hba, b), 0);
	fo_hba_split(hba, 128);
	memset(want, 0xff, 16);
	ck_assert_mem_eq(hba, want, sizeof(want));
	for (int b = 0; b < 256; b++)
		ck_assert_int_eq(fo_hba_primary_serves(hba, b), (b < 128));
	fo_hba_split(hba, 256);
	memset(want, 0xff, sizeof(want));
	ck_assert_mem_eq(hba, want, sizeof(want));
	fo_hba_split(hba, 1000);
	ck_assert_mem_eq(hba, want, sizeof(want));
	fo_hba_split(hba, 1);
	ck_assert_uint_eq(hba[0], 0x01);
	fo_hba_split(hba, 11);
	ck_assert_uint_eq(hba[0], 0xff);
	ck_assert_uint_eq(hba[1], 0x07);
	ck_assert_uint_eq(hba[2], 0x00);
}
END_TEST

START_TEST(test_hba_polarity)
{
	uint8_t hba[FO_HBA_LEN];

	memset(hba, 0, sizeof(hba));
	hba[0] = 0x02;		/* bucket 1 */
	hba[31] = 0x80;		/* bucket 255 */
	hba[16] = 0x01;		/* bucket 128 */
	for (int b = 0; b < 256; b++)
		ck_assert_int_eq(fo_hba_primary_serves(hba, b),
		    (b == 1 || b == 128 || b == 255));
	ck_assert_int_eq(fo_hba_primary_serves(hba, -1), 0);
	ck_assert_int_eq(fo_hba_primary_serves(hba, 256), 0);
}
END_TEST

/* The sample buckets of docs/FAILOVER.md §1 (computed from RFC 3074 §6's
 * table), against dhcp_hash_bucket. */
static const struct hash_case {
	const char	*key;
	int		 bucket;
} hash_cases[] = {
	{ "0e", 232 }, { "001122334455", 135 }, { "010203040506", 179 },
	{ "aabbccddeeff", 57 }, { "01001122334455", 223 },
	{ "000000000000", 254 }, { "", 0 },
};

START_TEST(test_rfc3074_vectors)
{
	const struct hash_case *c = &hash_cases[_i];
	uint8_t key[16];
	size_t n = unhex(c->key, key, sizeof(key));

	ck_assert_int_eq(dhcp_hash_bucket(key, n), c->bucket);
}
END_TEST

static Suite *
fo_msg_suite(void)
{
	Suite *s = suite_create("fo_msg");
	TCase *tc;

	tc = tcase_create("golden");
	tcase_add_test(tc, test_golden_connect_encode);
	tcase_add_test(tc, test_golden_connect_decode);
	tcase_add_test(tc, test_golden_bndupd);
	tcase_add_loop_test(tc, test_roundtrip, 0, nitems(rt_cases));
	tcase_add_loop_test(tc, test_roundtrip_signed, 0, nitems(rt_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("decode");
	tcase_add_loop_test(tc, test_decode_bad, 0, nitems(bad_cases));
	tcase_add_test(tc, test_decode_too_many_bindings);
	tcase_add_test(tc, test_decode_too_many_ranges);
	tcase_add_test(tc, test_decode_relationship_length);
	tcase_add_test(tc, test_decode_cid_length);
	tcase_add_test(tc, test_decode_too_long);
	tcase_add_test(tc, test_decode_payload_offset_16);
	tcase_add_test(tc, test_decode_unknown_skipped);
	tcase_add_test(tc, test_decode_unknown_types);
	tcase_add_test(tc, test_decode_batched_bndupd);
	tcase_add_test(tc, test_decode_bndack_rejects);
	tcase_add_test(tc, test_decode_text);
	tcase_add_test(tc, test_decode_digest_last);
	tcase_add_test(tc, test_decode_no_errbuf);
	suite_add_tcase(s, tc);
	tc = tcase_create("encode");
	tcase_add_test(tc, test_encode_cap);
	tcase_add_test(tc, test_encode_max);
	tcase_add_test(tc, test_binding_len);
	tcase_add_loop_test(tc, test_encode_bad, 0, nitems(enc_bad));
	tcase_add_test(tc, test_encode_digest_flag);
	tcase_add_loop_test(tc, test_frame_len, 0, nitems(frame_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("digest");
	tcase_add_test(tc, test_sign_golden);
	tcase_add_test(tc, test_verify_wrong_secret);
	tcase_add_test(tc, test_verify_tampered);
	tcase_add_test(tc, test_verify_missing);
	tcase_add_test(tc, test_verify_digest_not_last);
	tcase_add_test(tc, test_sign_limits);
	tcase_add_test(tc, test_verify_wrong_type);
	suite_add_tcase(s, tc);
	tc = tcase_create("numbers");
	tcase_add_loop_test(tc, test_state_wire, 0, nitems(wire_cases));
	tcase_add_test(tc, test_state_wire_none);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_hba_split);
	tcase_add_test(tc, test_hba_polarity);
	tcase_add_loop_test(tc, test_rfc3074_vectors, 0, nitems(hash_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fo_msg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
