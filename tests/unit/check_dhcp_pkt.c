/* Unit tests: the DHCPv4 packet codec (RFC 2131, RFC 2132, RFC 3396,
 * RFC 3046) and the RFC 3074 load-balancing hash. Packets are built here
 * byte by byte from hex, independently of buf.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "dhcp_opt.h"
#include "dhcp_pkt.h"
#include "stats.h"
#include "util.h"

#define MAXPKT		4096
#define HEXLEN		(2 * MAXPKT + 1)

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

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* A request as the test writes it: fixed fields, hex for the rest. */
struct fx {
	uint8_t		 op, htype, hlen, hops;
	uint32_t	 xid;
	uint16_t	 secs, flags;
	uint32_t	 ciaddr, yiaddr, siaddr, giaddr;
	const char	*chaddr, *sname, *file;	/* NULL: zeros */
	const char	*opts;			/* after the cookie */
	size_t		 len;			/* longer: zero padded */
	int		 cut;			/* 1: exactly len bytes */
	uint32_t	 cookie;		/* 0: 99.130.83.99 */
};

#define REQ	.op = BOOTREQUEST, .htype = 1, .hlen = 6

/* Lays the request out (RFC 2131 §2) into pkt; returns its length. */
static size_t
build(const struct fx *f, uint8_t *pkt)
{
	size_t n = 240;

	memset(pkt, 0, MAXPKT);
	pkt[0] = f->op;
	pkt[1] = f->htype;
	pkt[2] = f->hlen;
	pkt[3] = f->hops;
	put32(pkt + 4, f->xid);
	put16(pkt + 8, f->secs);
	put16(pkt + 10, f->flags);
	put32(pkt + 12, f->ciaddr);
	put32(pkt + 16, f->yiaddr);
	put32(pkt + 20, f->siaddr);
	put32(pkt + 24, f->giaddr);
	if (f->chaddr != NULL)
		unhex(f->chaddr, pkt + 28, 16);
	if (f->sname != NULL)
		unhex(f->sname, pkt + 44, 64);
	if (f->file != NULL)
		unhex(f->file, pkt + 108, 128);
	put32(pkt + 236, f->cookie != 0 ? f->cookie : 0x63825363);
	if (f->opts != NULL)
		n += unhex(f->opts, pkt + 240, MAXPKT - 240);
	if (f->cut || f->len > n)
		n = f->len;
	return n;
}

/* Builds and decodes, asserting success. */
static void
decode_ok(const struct fx *f, struct dhcp_pkt *p)
{
	uint8_t pkt[MAXPKT];
	int why = -1;

	ck_assert_msg(dhcp_pkt_decode(pkt, build(f, pkt), p, &why) == 0,
	    "decode failed: %s", stats_drop_name(why));
}

/* The value of an option as hex; "-" when absent. */
static const char *
opt_hex(const struct dhcp_pkt *p, uint8_t code, char *buf)
{
	const uint8_t *v;
	size_t len;

	if ((v = dhcp_pkt_opt(p, code, &len)) == NULL)
		return "-";
	return hex_str(v, len, buf);
}

/* busybox udhcpc 1.36 DISCOVER: client id, max size 576, its default
 * parameter list, vendor class, padded to 300 bytes. */
static const struct fx fx_discover = {
	REQ, .xid = 0x3903f326, .chaddr = "525400123456",
	.opts = "350101 3d0701525400123456 39020240 3707010306 0c0f1c2a"
	    "3c0c756468637020312e33362e31 ff",
	.len = 300,
};

/* A REQUEST through a relay: hops 1, giaddr, option 82 with a circuit id
 * ("vlan10") and a remote id. */
static const struct fx fx_request = {
	REQ, .hops = 1, .xid = 0x1a2b3c4d, .giaddr = 0x0a010001,
	.chaddr = "00163eaabbcc",
	.opts = "350103 3d070100163eaabbcc 32040a010032 36040a010002"
	    "0c05686f737431 37040103060f"
	    "5210 0106766c616e3130 020600163e010203 ff",
	.len = 300,
};

/* A DHCPINFORM from a configured client. */
static const struct fx fx_inform = {
	REQ, .xid = 0x00c0ffee, .ciaddr = 0x0a01004d, .chaddr = "00163eaabbcd",
	.opts = "350108 3d070100163eaabbcd 370301060f ff",
	.len = 300,
};

/* A BOOTP request: no option 53, no client id, no parameter list. */
static const struct fx fx_bootp = {
	REQ, .xid = 0x12345678, .chaddr = "00163e000001", .opts = "ff",
	.len = 300,
};

/* The real requests, and what the getters give. */
static const struct good_case {
	const char	*name;
	const struct fx	*fx;
	int		 msgtype;
	const char	*cid, *prl, *host, *relay;	/* hex; "-": absent */
	uint32_t	 reqaddr, server_id;		/* 0: absent */
	unsigned int	 mms;
} good_cases[] = {
	{ "udhcpc discover", &fx_discover, DHCPDISCOVER, "01525400123456",
	    "0103060c0f1c2a", "-", "-", 0, 0, 576 },
	{ "relayed request", &fx_request, DHCPREQUEST, "0100163eaabbcc",
	    "0103060f", "686f737431",
	    "0106766c616e3130020600163e010203", 0x0a010032, 0x0a010002, 576 },
	{ "inform", &fx_inform, DHCPINFORM, "0100163eaabbcd", "01060f", "-",
	    "-", 0, 0, 576 },
	{ "bootp", &fx_bootp, 0, "-", "-", "-", "-", 0, 0, 576 },
};

START_TEST(test_decode_real)
{
	const struct good_case *c = &good_cases[_i];
	const struct fx *f = c->fx;
	struct dhcp_pkt p;
	char hex[HEXLEN];
	uint32_t v;
	size_t len;

	decode_ok(f, &p);
	ck_assert_uint_eq(p.op, BOOTREQUEST);
	ck_assert_uint_eq(p.hops, f->hops);
	ck_assert_uint_eq(p.xid, f->xid);
	ck_assert_uint_eq(p.flags, f->flags);
	ck_assert_uint_eq(p.ciaddr, f->ciaddr);
	ck_assert_uint_eq(p.giaddr, f->giaddr);
	ck_assert_str_eq(hex_str(p.chaddr, p.hlen, hex), f->chaddr);
	ck_assert_int_eq(dhcp_pkt_msgtype(&p), c->msgtype);
	ck_assert_uint_eq(p.bootp, c->msgtype == 0);
	ck_assert_str_eq(opt_hex(&p, DHO_CLIENT_ID, hex), c->cid);
	ck_assert_str_eq(opt_hex(&p, DHO_PARAM_REQ, hex), c->prl);
	ck_assert_str_eq(opt_hex(&p, DHO_HOST_NAME, hex), c->host);
	ck_assert_str_eq(opt_hex(&p, DHO_RELAY_INFO, hex), c->relay);
	ck_assert_int_eq(dhcp_pkt_requested_addr(&p, &v), c->reqaddr ? 0 : -1);
	ck_assert_uint_eq(v, c->reqaddr);
	ck_assert_int_eq(dhcp_pkt_server_id(&p, &v), c->server_id ? 0 : -1);
	ck_assert_uint_eq(v, c->server_id);
	ck_assert_uint_eq(dhcp_pkt_max_msg_size(&p), c->mms);
	ck_assert_int_eq(dhcp_pkt_lease_time(&p, &v), -1);
	ck_assert_int_eq(dhcp_pkt_subnet_select(&p, &v), -1);
	/* the getters are dhcp_pkt_opt */
	ck_assert_ptr_eq(dhcp_pkt_client_id(&p, &len),
	    dhcp_pkt_opt(&p, DHO_CLIENT_ID, &len));
	ck_assert_ptr_eq(dhcp_pkt_param_req(&p, &len),
	    dhcp_pkt_opt(&p, DHO_PARAM_REQ, &len));
	ck_assert_ptr_eq(dhcp_pkt_host_name(&p, &len),
	    dhcp_pkt_opt(&p, DHO_HOST_NAME, &len));
	ck_assert_ptr_eq(dhcp_pkt_relay_info(&p, &len),
	    dhcp_pkt_opt(&p, DHO_RELAY_INFO, &len));
}
END_TEST

/* Every refusal, with its reason. */
static const struct bad_case {
	const char	*name;
	struct fx	 fx;
	int		 why;
} bad_cases[] = {
	{ "empty", { REQ, .cut = 1, .len = 0 }, DROP_TRUNCATED },
	{ "one byte", { REQ, .cut = 1, .len = 1 }, DROP_TRUNCATED },
	{ "fixed part cut", { REQ, .cut = 1, .len = 100 }, DROP_TRUNCATED },
	{ "no cookie", { REQ, .cut = 1, .len = 236 }, DROP_TRUNCATED },
	{ "cookie cut", { REQ, .cut = 1, .len = 239 }, DROP_TRUNCATED },
	{ "cut before op is judged", { .op = 2, .cut = 1, .len = 239 },
	    DROP_TRUNCATED },
	{ "wrong cookie", { REQ, .cookie = 0x63825364, .opts = "350101ff",
	    .len = 300 }, DROP_BAD_OPTION },
	{ "op 2", { .op = 2, .htype = 1, .hlen = 6, .opts = "350101ff" },
	    DROP_BAD_OP },
	{ "op 0", { .op = 0, .htype = 1, .hlen = 6, .opts = "ff" },
	    DROP_BAD_OP },
	{ "op 3", { .op = 3, .htype = 1, .hlen = 6, .opts = "ff" },
	    DROP_BAD_OP },
	{ "op 2 htype 6", { .op = 2, .htype = 6, .hlen = 6 }, DROP_BAD_OP },
	{ "htype 6", { .op = 1, .htype = 6, .hlen = 6, .opts = "ff" },
	    DROP_BAD_HTYPE },
	{ "htype 0", { .op = 1, .htype = 0, .hlen = 6, .opts = "ff" },
	    DROP_BAD_HTYPE },
	{ "hlen 255", { .op = 1, .htype = 1, .hlen = 255, .opts = "ff" },
	    DROP_BAD_HTYPE },
	{ "hlen 17", { .op = 1, .htype = 1, .hlen = 17, .opts = "ff" },
	    DROP_BAD_HTYPE },
	{ "hlen 16", { .op = 1, .htype = 1, .hlen = 16, .opts = "ff" },
	    DROP_BAD_HTYPE },
	{ "hlen 0", { .op = 1, .htype = 1, .hlen = 0, .opts = "ff" },
	    DROP_BAD_HTYPE },
	{ "option past the end", { REQ, .opts = "350101 0c10 4142" },
	    DROP_BAD_OPTION },
	{ "length byte missing", { REQ, .opts = "350101 0c" },
	    DROP_BAD_OPTION },
	{ "length 255 past the end", { REQ, .opts = "350101 0cff 00" },
	    DROP_BAD_OPTION },
	{ "option past the end of file", { REQ, .opts = "350101 340101 ff",
	    .file = "0cff41" }, DROP_BAD_OPTION },
	{ "option past the end of sname", { REQ, .opts = "350101 340102 ff",
	    .sname = "0c4041" }, DROP_BAD_OPTION },
	{ "overload loop", { REQ, .opts = "350101 340103 ff",
	    .file = "340102 ff", .sname = "340101 ff" }, DROP_BAD_OPTION },
	{ "overload inside file", { REQ, .opts = "350101 340101 ff",
	    .file = "340101 ff" }, DROP_BAD_OPTION },
	{ "overload inside sname", { REQ, .opts = "350101 340102 ff",
	    .sname = "340102 ff" }, DROP_BAD_OPTION },
	{ "overload twice", { REQ, .opts = "340101 340101 350101 ff" },
	    DROP_BAD_OPTION },
	{ "overload 0", { REQ, .opts = "350101 340100 ff" }, DROP_BAD_OPTION },
	{ "overload 4", { REQ, .opts = "350101 340104 ff" }, DROP_BAD_OPTION },
	{ "overload length 2", { REQ, .opts = "350101 34020101 ff" },
	    DROP_BAD_OPTION },
	{ "overload length 0", { REQ, .opts = "350101 3400 ff" },
	    DROP_BAD_OPTION },
	{ "message type length 2", { REQ, .opts = "35020101 ff" },
	    DROP_BAD_OPTION },
	{ "message type empty", { REQ, .opts = "3500 ff" }, DROP_BAD_OPTION },
	{ "message type twice (RFC 3396: 2 bytes)",
	    { REQ, .opts = "350101 350103 ff" }, DROP_BAD_OPTION },
	{ "requested address length 3",
	    { REQ, .opts = "350103 32030a0100 ff" }, DROP_BAD_OPTION },
	{ "server id length 5",
	    { REQ, .opts = "350103 36050a01000200 ff" }, DROP_BAD_OPTION },
	{ "server id split 2 + 3",
	    { REQ, .opts = "350103 36020a01 3603000200 ff" }, DROP_BAD_OPTION },
	{ "lease time length 2", { REQ, .opts = "350103 33020e10 ff" },
	    DROP_BAD_OPTION },
	{ "max size length 1", { REQ, .opts = "350101 390102 ff" },
	    DROP_BAD_OPTION },
	{ "client id length 1", { REQ, .opts = "350101 3d0101 ff" },
	    DROP_BAD_OPTION },
	{ "subnet selection length 3",
	    { REQ, .opts = "350101 76030a0100 ff" }, DROP_BAD_OPTION },
};

START_TEST(test_decode_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	uint8_t pkt[MAXPKT];
	struct dhcp_pkt p;
	int why = -1;

	ck_assert_msg(dhcp_pkt_decode(pkt, build(&c->fx, pkt), &p, &why) == -1,
	    "%s: decoded", c->name);
	ck_assert_msg(why == c->why, "%s: %s, not %s", c->name,
	    stats_drop_name(why), stats_drop_name(c->why));
	/* a NULL reason pointer is allowed */
	ck_assert_int_eq(dhcp_pkt_decode(pkt, build(&c->fx, pkt), &p, NULL),
	    -1);
}
END_TEST

/* Option values: concatenation (RFC 3396), overload (RFC 2131 §4.1),
 * PAD and END (RFC 2132 §3). */
static const struct value_case {
	const char	*name;
	struct fx	 fx;
	uint8_t		 code;
	const char	*hex;		/* "-": absent */
} value_cases[] = {
	{ "instances concatenated", { REQ,
	    .opts = "350101 0c026162 0f0178 0c026364 ff" }, 12, "61626364" },
	{ "server id split 2 + 2", { REQ,
	    .opts = "350103 36020a01 36020002 ff" }, 54, "0a010002" },
	{ "empty instance concatenated", { REQ,
	    .opts = "350101 0c00 0c0161 ff" }, 12, "61" },
	{ "zero-length option", { REQ, .opts = "350101 0f00 ff" }, 15, "" },
	{ "file overloaded", { REQ, .opts = "350101 340101 ff",
	    .file = "0c03616263 ff" }, 12, "616263" },
	{ "sname overloaded", { REQ, .opts = "350101 340102 ff",
	    .sname = "0c0178 ff" }, 12, "78" },
	{ "options, file, sname in order", { REQ,
	    .opts = "350101 340103 0c026162 ff", .file = "0c026364 ff",
	    .sname = "0c026566 ff" }, 12, "616263646566" },
	{ "overload itself is kept", { REQ, .opts = "350101 340101 ff",
	    .file = "ff" }, 52, "01" },
	{ "file not overloaded is not read", { REQ, .opts = "350101 ff",
	    .file = "0c03616263 ff" }, 12, "-" },
	{ "overload in file not overloaded is ignored", { REQ,
	    .opts = "350101 ff", .file = "340101 ff" }, 52, "-" },
	{ "missing END", { REQ, .opts = "350101 0c0161" }, 12, "61" },
	{ "missing END in file", { REQ, .opts = "350101 340101 ff",
	    .file = "0c0161" }, 12, "61" },
	{ "PAD anywhere", { REQ, .opts = "0000 350101 00 0c0161 00 ff" }, 12,
	    "61" },
	{ "after END ignored", { REQ, .opts = "350101 ff 0c0161" }, 12, "-" },
	{ "PAD is no option", { REQ, .opts = "350101 00 ff" }, 0, "-" },
	{ "END is no option", { REQ, .opts = "350101 ff" }, 255, "-" },
	{ "sname and file kept raw", { REQ, .opts = "350101 340101 ff",
	    .file = "0c0161 ff" }, 12, "61" },
};

START_TEST(test_decode_values)
{
	const struct value_case *c = &value_cases[_i];
	uint8_t file[128] = { 0 };
	struct dhcp_pkt p;
	char hex[HEXLEN];

	decode_ok(&c->fx, &p);
	ck_assert_msg(strcmp(opt_hex(&p, c->code, hex), c->hex) == 0,
	    "%s: option %u is %s, not %s", c->name, c->code,
	    opt_hex(&p, c->code, hex), c->hex);
	if (c->fx.file != NULL)
		unhex(c->fx.file, file, sizeof(file));
	ck_assert_mem_eq(p.file, file, sizeof(file));	/* raw, always */
}
END_TEST

/* Option 57 (RFC 2132 §9.10): at least 576. */
static const struct mms_case {
	const char	*opts;
	unsigned int	 mms;
} mms_cases[] = {
	{ "350101 ff", 576 },
	{ "350101 390205dc ff", 1500 },
	{ "350101 39020240 ff", 576 },
	{ "350101 3902023f ff", 576 },
	{ "350101 39020000 ff", 576 },
	{ "350101 3902ffff ff", 65535 },
};

START_TEST(test_decode_mms)
{
	struct fx f = { REQ, .opts = mms_cases[_i].opts };
	struct dhcp_pkt p;

	decode_ok(&f, &p);
	ck_assert_uint_eq(dhcp_pkt_max_msg_size(&p), mms_cases[_i].mms);
}
END_TEST

/* The four-byte getters in host order; lease time and subnet selection. */
START_TEST(test_decode_numbers)
{
	struct fx f = { REQ, .opts = "350103 3304 00015180 7604 c0a80100 ff" };
	struct dhcp_pkt p;
	uint32_t v;

	decode_ok(&f, &p);
	ck_assert_int_eq(dhcp_pkt_lease_time(&p, &v), 0);
	ck_assert_uint_eq(v, 86400);
	ck_assert_int_eq(dhcp_pkt_subnet_select(&p, &v), 0);
	ck_assert_uint_eq(v, 0xc0a80100);
	ck_assert_int_eq(dhcp_pkt_requested_addr(&p, &v), -1);
	ck_assert_uint_eq(v, 0);
}
END_TEST

/* Appends n instances of code with len bytes each to an options hex. */
static void
hex_instances(char *s, size_t cap, uint8_t code, size_t n, size_t len)
{
	size_t at = strlen(s);

	for (size_t i = 0; i < n; i++) {
		at += (size_t)snprintf(s + at, cap - at, "%02x%02zx", code,
		    len);
		for (size_t j = 0; j < len; j++)
			at += (size_t)snprintf(s + at, cap - at, "%02zx",
			    (i + j) & 0xff);
	}
}

/* At most DHCP_PKT_OPTBUF bytes of values are kept: 8 * 255 = 2040 pass,
 * one byte more is refused. */
START_TEST(test_decode_optbuf_limit)
{
	static char opts[HEXLEN];
	struct fx f = { REQ, .opts = opts };
	struct dhcp_pkt p;
	uint8_t pkt[MAXPKT];
	size_t len;
	int why;

	snprintf(opts, sizeof(opts), "350101 0f05 6162636465 ");
	hex_instances(opts, sizeof(opts), 43, 8, 255);
	strcat(opts, "ff");
	/* 1 + 5 + 2040 = 2046 */
	decode_ok(&f, &p);
	ck_assert_ptr_nonnull(dhcp_pkt_opt(&p, 43, &len));
	ck_assert_uint_eq(len, 2040);
	ck_assert_uint_eq(p.optbuf[p.optoff[43] + 255], 0x01);	/* 2nd part */
	snprintf(opts, sizeof(opts), "350101 0f07 61626364656667 ");
	hex_instances(opts, sizeof(opts), 43, 8, 255);
	strcat(opts, "ff");
	/* 1 + 7 + 2040 = 2048 */
	decode_ok(&f, &p);
	snprintf(opts, sizeof(opts), "350101 0f08 6162636465666768 ");
	hex_instances(opts, sizeof(opts), 43, 8, 255);
	strcat(opts, "ff");
	ck_assert_int_eq(dhcp_pkt_decode(pkt, build(&f, pkt), &p, &why), -1);
	ck_assert_int_eq(why, DROP_BAD_OPTION);
}
END_TEST

/* A small PRNG for the random tests (xorshift32). */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Options a scope hands out in the encoder tests. */
struct optspec {
	uint8_t		 code;
	const char	*hex;
};

static const struct optspec scope_opts[] = {
	{ 3, "0a010001" },
	{ 6, "0a0100350a010036" },
	{ 15, "6578616d706c652e636f6d" },	/* example.com */
	{ 28, "0a0100ff" },
	{ 42, "0a01007b" },
	{ 0, NULL },
};

static void
mklist(struct dhcp_optlist *l, const struct optspec *s)
{
	uint8_t v[DHCP_OPT_MAXLEN];

	memset(l, 0, sizeof(*l));
	for (; s->code != 0; s++)
		ck_assert_int_eq(dhcp_optlist_set(l, s->code, v,
		    unhex(s->hex, v, sizeof(v))), 0);
}

/* Sets code to len bytes of a pattern (byte i is (i + code) % 251). */
static void
set_fill(struct dhcp_optlist *l, uint8_t code, size_t len)
{
	uint8_t v[DHCP_OPT_MAXLEN];

	for (size_t i = 0; i < len; i++)
		v[i] = (uint8_t)((i + code) % 251);
	ck_assert_int_eq(dhcp_optlist_set(l, code, v, len), 0);
}

/* Decodes a reply with the codec itself (op set to BOOTREQUEST), so every
 * encoded reply is checked well-formed, overload and splits included. */
static void
decode_reply(const uint8_t *out, size_t len, struct dhcp_pkt *p)
{
	uint8_t copy[MAXPKT];
	int why = -1;

	ck_assert_uint_le(len, sizeof(copy));
	memcpy(copy, out, len);
	ck_assert_uint_eq(copy[0], BOOTREPLY);
	copy[0] = BOOTREQUEST;
	ck_assert_msg(dhcp_pkt_decode(copy, len, p, &why) == 0,
	    "reply does not decode: %s", stats_drop_name(why));
}

/* The codes of the options field in order, as "53 54 ..." (the test's own
 * walk over the raw bytes). */
static const char *
codes_of(const uint8_t *out, size_t len, char *s, size_t cap)
{
	size_t i = 240, at = 0;

	s[0] = '\0';
	while (i < len && out[i] != 255) {
		if (out[i] != 0)
			at += (size_t)snprintf(s + at, cap - at, "%s%u",
			    at > 0 ? " " : "", out[i]);
		i += out[i] == 0 ? 1 : 2 + (size_t)out[i + 1];
	}
	return s;
}

/* Offset of the END of the options field. */
static size_t
end_of(const uint8_t *out, size_t len)
{
	size_t i = 240;

	while (i < len && out[i] != 255)
		i += out[i] == 0 ? 1 : 2 + (size_t)out[i + 1];
	ck_assert_uint_lt(i, len);
	return i;
}

/* Golden replies: the fixed part up to chaddr, and the options field up to
 * END; sname and file zero, padding zero, length max(300, used). */
static const struct golden_case {
	const char		*name;
	const struct fx		*req;
	struct dhcp_reply	 rep;
	const char		*header;
	const char		*options;
} golden_cases[] = {
	{ "OFFER to udhcpc", &fx_discover,
	    { DHCPOFFER, 0x0a010064, 0, 0x0a010002, 3600, 1800, 3150,
	    0xffffff00, NULL, NULL },
	    "02010600 3903f326 0000 0000 00000000 0a010064 00000000 00000000"
	    "525400123456 00000000000000000000",
	    "350102 36040a010002 330400000e10 3a0400000708 3b0400000c4e"
	    "0104ffffff00 3d0701525400123456 03040a010001"
	    "06080a0100350a010036 0f0b6578616d706c652e636f6d 1c040a0100ff"
	    "2a040a01007b ff" },
	{ "ACK to a relayed REQUEST", &fx_request,
	    { DHCPACK, 0x0a010032, 0, 0x0a010002, 3600, 1800, 3150,
	    0xffffff00, NULL, NULL },
	    "02010600 1a2b3c4d 0000 0000 00000000 0a010032 00000000 0a010001"
	    "00163eaabbcc 00000000000000000000",
	    "350105 36040a010002 330400000e10 3a0400000708 3b0400000c4e"
	    "0104ffffff00 3d070100163eaabbcc 03040a010001"
	    "06080a0100350a010036 0f0b6578616d706c652e636f6d"
	    "5210 0106766c616e3130 020600163e010203 ff" },
	{ "NAK to a relayed REQUEST", &fx_request,
	    { DHCPNAK, 0x0a010032, 0x0a010003, 0x0a010002, 3600, 1800, 3150,
	    0xffffff00, NULL, "wrong network" },
	    "02010600 1a2b3c4d 0000 8000 00000000 00000000 00000000 0a010001"
	    "00163eaabbcc 00000000000000000000",
	    "350106 36040a010002 3d070100163eaabbcc"
	    "380d77726f6e67206e6574776f726b"
	    "5210 0106766c616e3130 020600163e010203 ff" },
	{ "ACK to INFORM", &fx_inform,
	    { DHCPACK, 0, 0, 0x0a010002, 0, 0, 0, 0xffffff00, NULL, NULL },
	    "02010600 00c0ffee 0000 0000 0a01004d 00000000 00000000 00000000"
	    "00163eaabbcd 00000000000000000000",
	    "350105 36040a010002 0104ffffff00 3d070100163eaabbcd"
	    "06080a0100350a010036 0f0b6578616d706c652e636f6d 03040a010001 ff" },
	{ "OFFER without parameter list", &fx_bootp,
	    { DHCPOFFER, 0x0a010065, 0x0a010002, 0x0a010002, 600, 0, 0,
	    0xffffff00, NULL, "ignored" },
	    "02010600 12345678 0000 0000 00000000 0a010065 0a010002 00000000"
	    "00163e000001 00000000000000000000",
	    "350102 36040a010002 330400000258 0104ffffff00 03040a010001"
	    "06080a0100350a010036 0f0b6578616d706c652e636f6d ff" },
	{ "NAK without message or relay", &fx_discover,
	    { DHCPNAK, 0, 0, 0x0a010002, 0, 0, 0, 0, NULL, "" },
	    "02010600 3903f326 0000 0000 00000000 00000000 00000000 00000000"
	    "525400123456 00000000000000000000",
	    "350106 36040a010002 3d0701525400123456 ff" },
};

START_TEST(test_encode_golden)
{
	const struct golden_case *c = &golden_cases[_i];
	uint8_t out[1500], want[MAXPKT], zero[192] = { 0 };
	struct dhcp_reply rep = c->rep;
	struct dhcp_optlist l;
	struct dhcp_pkt req, back;
	char hex[HEXLEN], whex[HEXLEN];
	size_t len, n, used;

	mklist(&l, scope_opts);
	rep.opts = &l;
	decode_ok(c->req, &req);
	memset(out, 0xee, sizeof(out));
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out),
	    &len), 0);
	n = unhex(c->header, want, sizeof(want));
	ck_assert_uint_eq(n, 44);
	ck_assert_str_eq(hex_str(out, 44, hex), hex_str(want, 44, whex));
	ck_assert_mem_eq(out + 44, zero, sizeof(zero));	/* sname, file */
	ck_assert_str_eq(hex_str(out + 236, 4, hex), "63825363");
	n = unhex(c->options, want, sizeof(want));
	used = 240 + n;
	ck_assert_uint_eq(len, used > 300 ? used : 300);
	ck_assert_str_eq(hex_str(out + 240, n, hex), hex_str(want, n, whex));
	for (size_t i = used; i < len; i++)
		ck_assert_uint_eq(out[i], 0);
	decode_reply(out, len, &back);
	ck_assert_uint_eq(back.overload, 0);
	dhcp_optlist_free(&l);
}
END_TEST

/* Requested options in the client's order (RFC 2132 §9.8), each once, then
 * routers, DNS and domain name; managed codes never from the list. */
static const struct prl_case {
	const char	*prl;		/* hex; NULL: no option 55 */
	const char	*codes;
} prl_cases[] = {
	{ "2a0f06031c", "53 54 51 58 59 1 42 15 6 3 28" },
	{ "1c2a", "53 54 51 58 59 1 28 42 3 6 15" },
	{ "060606", "53 54 51 58 59 1 6 3 15" },
	{ "", "53 54 51 58 59 1 3 6 15" },
	{ NULL, "53 54 51 58 59 1 3 6 15" },
	{ "0133363534373839 3a3b3d5276 3200ff", "53 54 51 58 59 1 3 6 15" },
	{ "770c2a", "53 54 51 58 59 1 42 3 6 15" },
	{ "fe2a", "53 54 51 58 59 1 254 42 3 6 15" },
};

/* A request with option 55 of hex prl (NULL: none) into opts. */
static void
prl_request(char *opts, size_t cap, const char *prl)
{
	uint8_t v[256];

	if (prl == NULL)
		snprintf(opts, cap, "350103 ff");
	else
		snprintf(opts, cap, "350103 37%02zx %s ff",
		    unhex(prl, v, sizeof(v)), prl);
}

START_TEST(test_encode_prl)
{
	const struct prl_case *c = &prl_cases[_i];
	static const struct optspec extra[] = {
		{ 51, "00000001" }, { 54, "01020304" }, { 56, "6869" },
		{ 61, "0102" }, { 82, "0100" }, { 118, "0a000000" },
		{ 254, "" }, { 0, NULL },
	};
	struct dhcp_reply rep = { DHCPACK, 0x0a010032, 0, 0x0a010002, 3600,
	    1800, 3150, 0xffffff00, NULL, "no" };
	char opts[256], codes[512];
	struct fx f = { REQ, .opts = opts };
	struct dhcp_optlist l;
	struct dhcp_pkt req, back;
	uint8_t out[1500], v[8];
	size_t len;

	prl_request(opts, sizeof(opts), c->prl);
	mklist(&l, scope_opts);
	for (const struct optspec *s = extra; s->code != 0; s++)
		ck_assert_int_eq(dhcp_optlist_set(&l, s->code, v,
		    unhex(s->hex, v, sizeof(v))), 0);
	rep.opts = &l;
	decode_ok(&f, &req);
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out),
	    &len), 0);
	ck_assert_str_eq(codes_of(out, len, codes, sizeof(codes)), c->codes);
	decode_reply(out, len, &back);
	dhcp_optlist_free(&l);
}
END_TEST

/*
 * The size limit (RFC 2132 §9.10: option 57 counts the IP and UDP headers, so
 * 576 leaves a 548-byte message) with a parameter list asking for large
 * options: 43 (250 bytes), 66 (100), 67 (50), 119 (200), 3 (4). File and
 * sname take options only when the options field is full (RFC 2131 §4.1);
 * what still does not fit is dropped from the end of the list.
 */
static const struct size_case {
	const char	*name;
	unsigned int	 mms;		/* 0: no option 57 */
	size_t		 outlen;
	size_t		 sent;		/* entries of the list sent: a prefix */
	uint8_t		 overload;
	size_t		 len;
} size_cases[] = {
	/* 307 after END; fixed 36 with 52; 43 in options, 66 in file, 67 in
	 * sname; 119 fits nowhere, so 3 goes too */
	{ "no option 57: 576", 0, 1500, 3, 3, 240 + 36 + 252 + 1 },
	{ "57 = 576", 576, 1500, 3, 3, 240 + 36 + 252 + 1 },
	{ "57 below 576 counts as 576", 300, 1500, 3, 3, 240 + 36 + 252 + 1 },
	{ "57 = 1500: all in the options field", 1500, 1500, 5, 0,
	    240 + 33 + 252 + 102 + 52 + 202 + 6 + 1 },
	{ "57 = 65535, outlen 1500", 65535, 1500, 5, 0,
	    240 + 33 + 252 + 102 + 52 + 202 + 6 + 1 },
	/* 359 after END: 43 then 67 in options, 66 in file */
	{ "outlen 600", 1500, 600, 3, 1, 240 + 36 + 252 + 52 + 1 },
	/* 159 after END: nothing optional fits anywhere */
	{ "outlen 400", 1500, 400, 0, 0, 300 },
};

START_TEST(test_encode_size)
{
	const struct size_case *c = &size_cases[_i];
	static const uint8_t prl[] = { 43, 66, 67, 119, 3 };
	static const size_t vlen[] = { 250, 100, 50, 200, 4 };
	struct dhcp_reply rep = { DHCPACK, 0x0a010032, 0, 0x0a010002, 3600,
	    1800, 3150, 0xffffff00, NULL, NULL };
	struct dhcp_optlist l = { 0, NULL };
	struct dhcp_pkt req, back;
	char opts[128], mms[16] = "";
	struct fx f = { REQ, .opts = opts };
	const struct dhcp_opt *o;
	const uint8_t *v;
	uint8_t out[1500];
	size_t len, max, n;

	if (c->mms != 0)
		snprintf(mms, sizeof(mms), "3902%04x", c->mms);
	snprintf(opts, sizeof(opts), "350103 %s 3705 2b42437703 ff", mms);
	for (size_t i = 0; i < nitems(prl); i++)
		set_fill(&l, prl[i], vlen[i]);
	rep.opts = &l;
	decode_ok(&f, &req);
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, c->outlen,
	    &len), 0);
	max = (c->mms > 576 ? c->mms : 576) - 28;
	ck_assert_uint_le(len, max < c->outlen ? max : c->outlen);
	ck_assert_uint_eq(len, c->len);
	decode_reply(out, len, &back);
	ck_assert_uint_eq(back.overload, c->overload);
	for (size_t i = 0; i < nitems(prl); i++) {
		v = dhcp_pkt_opt(&back, prl[i], &n);
		ck_assert_msg((v != NULL) == (i < c->sent), "option %u %s",
		    prl[i], v != NULL ? "sent" : "missing");
		if (v == NULL)
			continue;
		o = dhcp_optlist_get(&l, prl[i]);
		ck_assert_uint_eq(n, o->len);
		ck_assert_mem_eq(v, o->data, n);
	}
	dhcp_optlist_free(&l);
}
END_TEST

/* A value over 255 bytes goes out as consecutive instances (RFC 3396):
 * 600 = 255 + 255 + 90, in the options field when it has room. */
START_TEST(test_encode_split)
{
	struct dhcp_reply rep = { DHCPOFFER, 0x0a010064, 0, 0x0a010002, 3600,
	    1800, 3150, 0xffffff00, NULL, NULL };
	struct fx f = { REQ, .opts = "350101 390205dc 37012b ff" };
	struct dhcp_optlist l = { 0, NULL };
	struct dhcp_pkt req, back;
	const struct dhcp_opt *o;
	const uint8_t *v, *p;
	uint8_t out[1500];
	size_t len, n;

	set_fill(&l, 43, 600);
	o = dhcp_optlist_get(&l, 43);
	rep.opts = &l;
	decode_ok(&f, &req);
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out),
	    &len), 0);
	p = out + 240 + 33;			/* after 53 54 51 58 59 1 */
	ck_assert_uint_eq(p[0], 43);
	ck_assert_uint_eq(p[1], 255);
	ck_assert_mem_eq(p + 2, o->data, 255);
	ck_assert_uint_eq(p[257], 43);
	ck_assert_uint_eq(p[258], 255);
	ck_assert_mem_eq(p + 259, o->data + 255, 255);
	ck_assert_uint_eq(p[514], 43);
	ck_assert_uint_eq(p[515], 90);
	ck_assert_mem_eq(p + 516, o->data + 510, 90);
	ck_assert_uint_eq(p[606], 255);
	ck_assert_uint_eq(len, 240 + 33 + 606 + 1);
	decode_reply(out, len, &back);
	ck_assert_uint_eq(back.overload, 0);
	ck_assert_ptr_nonnull(v = dhcp_pkt_opt(&back, 43, &n));
	ck_assert_uint_eq(n, 600);
	ck_assert_mem_eq(v, o->data, 600);
	dhcp_optlist_free(&l);
}
END_TEST

/* Split over the three fields in order (RFC 3396): 400 bytes at 576 are
 * 255 + 12 in the options field, 125 in file, 8 in sname. */
START_TEST(test_encode_split_overload)
{
	struct dhcp_reply rep = { DHCPACK, 0x0a010064, 0, 0x0a010002, 3600,
	    1800, 3150, 0xffffff00, NULL, NULL };
	struct fx f = { REQ, .opts = "350103 37012b ff" };
	struct dhcp_optlist l = { 0, NULL };
	struct dhcp_pkt req, back;
	const struct dhcp_opt *o;
	const uint8_t *v;
	uint8_t out[1500];
	char codes[256];
	size_t len, n;

	set_fill(&l, 43, 400);
	o = dhcp_optlist_get(&l, 43);
	rep.opts = &l;
	decode_ok(&f, &req);
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out),
	    &len), 0);
	ck_assert_uint_eq(len, 548);
	ck_assert_str_eq(codes_of(out, len, codes, sizeof(codes)),
	    "53 52 54 51 58 59 1 43 43");
	ck_assert_uint_eq(out[108], 43);		/* file */
	ck_assert_uint_eq(out[109], 125);
	ck_assert_uint_eq(out[108 + 127], 255);
	ck_assert_uint_eq(out[44], 43);			/* sname */
	ck_assert_uint_eq(out[45], 8);
	ck_assert_uint_eq(out[54], 255);
	ck_assert_uint_eq(out[55], 0);
	decode_reply(out, len, &back);
	ck_assert_uint_eq(back.overload, 3);
	ck_assert_ptr_nonnull(v = dhcp_pkt_opt(&back, 43, &n));
	ck_assert_uint_eq(n, 400);
	ck_assert_mem_eq(v, o->data, 400);
	dhcp_optlist_free(&l);
}
END_TEST

/* Option 82 comes back verbatim, last in the options field (RFC 3046 §2.2),
 * also when others spill into file, and split when the relay's value was
 * over 255 bytes. */
static const struct relay_case {
	const char	*name;
	unsigned int	 mms;
	size_t		 ninst, inst_len;	/* of 82 in the request */
	size_t		 big;			/* bytes of option 43 sent */
	uint8_t		 overload;
} relay_cases[] = {
	{ "small reply", 576, 1, 16, 0, 0 },
	/* 289 left for 36 fixed and 43: 251 there, 99 in file */
	{ "overloaded reply", 576, 1, 16, 350, 1 },
	{ "two instances (RFC 3396)", 1500, 2, 200, 0, 0 },
	{ "empty", 576, 1, 0, 0, 0 },
};

/* Checks that the option ending at end is 82 with value v[0..len-1], in
 * instances of 255 bytes at most; returns where it starts. */
static size_t
assert_tail_82(const uint8_t *out, size_t end, const uint8_t *v, size_t len)
{
	size_t first = len > 255 ? 255 : len, at;

	at = end - (2 + first) - (len > 255 ? 2 + len - 255 : 0);
	ck_assert_uint_eq(out[at], 82);
	ck_assert_uint_eq(out[at + 1], first);
	if (first > 0)
		ck_assert_mem_eq(out + at + 2, v, first);
	if (len > 255) {
		ck_assert_uint_eq(out[at + 257], 82);
		ck_assert_uint_eq(out[at + 258], len - 255);
		ck_assert_mem_eq(out + at + 259, v + 255, len - 255);
	}
	return at;
}

START_TEST(test_encode_relay)
{
	const struct relay_case *c = &relay_cases[_i];
	struct dhcp_reply rep = { DHCPACK, 0x0a010032, 0, 0x0a010002, 3600,
	    1800, 3150, 0xffffff00, NULL, NULL };
	static char opts[HEXLEN];
	struct fx f = { REQ, .giaddr = 0x0a010001, .opts = opts };
	struct dhcp_optlist l = { 0, NULL };
	const uint8_t *want, *got;
	struct dhcp_pkt req, back;
	uint8_t out[1500];
	size_t len, wlen, glen;

	snprintf(opts, sizeof(opts), "350103 3902%04x 37012b ", c->mms);
	hex_instances(opts, sizeof(opts), 82, c->ninst, c->inst_len);
	strcat(opts, "ff");
	if (c->big > 0)
		set_fill(&l, 43, c->big);
	rep.opts = &l;
	decode_ok(&f, &req);
	ck_assert_ptr_nonnull(want = dhcp_pkt_relay_info(&req, &wlen));
	ck_assert_uint_eq(wlen, c->ninst * c->inst_len);
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out),
	    &len), 0);
	assert_tail_82(out, end_of(out, len), want, wlen);
	decode_reply(out, len, &back);
	ck_assert_uint_eq(back.overload, c->overload);
	ck_assert_ptr_nonnull(got = dhcp_pkt_relay_info(&back, &glen));
	ck_assert_uint_eq(glen, wlen);
	if (wlen > 0)
		ck_assert_mem_eq(got, want, wlen);
	if (c->big > 0)
		ck_assert_ptr_nonnull(dhcp_pkt_opt(&back, 43, &glen));
	dhcp_optlist_free(&l);
}
END_TEST

/* Replies that cannot be made: -1 and *len 0. */
START_TEST(test_encode_errors)
{
	static char opts[HEXLEN];
	struct dhcp_reply rep = { DHCPACK, 0x0a010032, 0, 0x0a010002, 3600,
	    1800, 3150, 0xffffff00, NULL, NULL };
	struct fx f = { REQ, .opts = "350103 ff" };
	struct dhcp_pkt req;
	uint8_t out[1500];
	size_t len = 7;

	decode_ok(&f, &req);
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, 299, &len), -1);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, 300, &len), 0);
	ck_assert_uint_eq(len, 300);
	for (int t = 0; t < 20; t++) {
		rep.type = t;
		ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out,
		    sizeof(out), &len), t == DHCPOFFER || t == DHCPACK ||
		    t == DHCPNAK ? 0 : -1);
	}
	/* a 255-byte client id and a 255-byte option 82 do not fit in 548 */
	snprintf(opts, sizeof(opts), "350103 ");
	hex_instances(opts, sizeof(opts), 61, 1, 255);
	hex_instances(opts, sizeof(opts), 82, 1, 255);
	strcat(opts, "ff");
	f.opts = opts;
	decode_ok(&f, &req);
	rep.type = DHCPACK;
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out),
	    &len), -1);
	ck_assert_uint_eq(len, 0);
	/* with room (option 57 = 1500) it does */
	snprintf(opts, sizeof(opts), "350103 390205dc ");
	hex_instances(opts, sizeof(opts), 61, 1, 255);
	hex_instances(opts, sizeof(opts), 82, 1, 255);
	strcat(opts, "ff");
	decode_ok(&f, &req);
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out),
	    &len), 0);
}
END_TEST

/* ciaddr: copied into an ACK (RENEW, INFORM), zero in an OFFER and a NAK
 * (RFC 2131 Table 3); a NAK through no relay keeps the client's flags. */
START_TEST(test_encode_ciaddr)
{
	struct fx f = { REQ, .ciaddr = 0x0a010032, .flags = 0x8000,
	    .opts = "350103 ff" };
	struct dhcp_reply rep = { DHCPACK, 0x0a010032, 0, 0x0a010002, 3600,
	    1800, 3150, 0xffffff00, NULL, NULL };
	static const int types[] = { DHCPACK, DHCPOFFER, DHCPNAK };
	struct dhcp_pkt req, back;
	uint8_t out[1500];
	size_t len;

	decode_ok(&f, &req);
	for (size_t i = 0; i < nitems(types); i++) {
		rep.type = types[i];
		ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out,
		    sizeof(out), &len), 0);
		decode_reply(out, len, &back);
		ck_assert_uint_eq(back.ciaddr, types[i] == DHCPACK ?
		    0x0a010032 : 0);
		ck_assert_uint_eq(back.yiaddr, types[i] == DHCPNAK ? 0 :
		    0x0a010032);
		ck_assert_uint_eq(back.flags, 0x8000);
		ck_assert_int_eq(dhcp_pkt_msgtype(&back), types[i]);
	}
}
END_TEST

/* Echoes: subnet selection (RFC 3011) and client id (RFC 6842); the
 * mask from the option list when the reply gives none. */
START_TEST(test_encode_echo)
{
	struct fx f = { REQ, .opts = "350101 7604c0a80100 3d03ff0102 ff" };
	static const struct optspec mask[] = {
		{ 1, "ffff0000" }, { 3, "0a010001" }, { 0, NULL },
	};
	struct dhcp_reply rep = { DHCPOFFER, 0xc0a80105, 0, 0x0a010002, 3600,
	    1800, 3150, 0, NULL, NULL };
	struct dhcp_optlist l;
	struct dhcp_pkt req, back;
	uint8_t out[1500];
	char codes[256], hex[HEXLEN];
	size_t len;

	mklist(&l, mask);
	rep.opts = &l;
	decode_ok(&f, &req);
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out),
	    &len), 0);
	ck_assert_str_eq(codes_of(out, len, codes, sizeof(codes)),
	    "53 54 51 58 59 1 61 118 3");
	decode_reply(out, len, &back);
	ck_assert_str_eq(opt_hex(&back, 118, hex), "c0a80100");
	ck_assert_str_eq(opt_hex(&back, 61, hex), "ff0102");
	ck_assert_str_eq(opt_hex(&back, 1, hex), "ffff0000");
	rep.type = DHCPNAK;
	ck_assert_int_eq(dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out),
	    &len), 0);
	ck_assert_str_eq(codes_of(out, len, codes, sizeof(codes)), "53 54 61");
	dhcp_optlist_free(&l);
}
END_TEST

/* RFC 3074 §6 vectors. The table is the RFC's; the function runs over the
 * key from its LAST byte to its first, seeded with the length:
 *   hash = len; for (i = len; i > 0;) hash = T[hash ^ key[--i]];
 * By hand for { 01 02 }: hash = 2; T[2 ^ 02] = T[0] = 251;
 * T[251 ^ 01] = T[250] = 170. The others were computed by a separate
 * script from the RFC's table and code. */
static const struct hash_case {
	const char	*key;
	size_t		 repeat;	/* key is this many bytes of key[0] */
	int		 bucket;
} hash_cases[] = {
	{ "", 0, 0 },
	{ "00", 0, 175 },
	{ "0102", 0, 170 },
	{ "000000000000", 0, 254 },
	{ "525400123456", 0, 156 },
	{ "01525400123456", 0, 253 },
	{ "00163eaabbcc", 0, 83 },
	{ "0100163eaabbcc", 0, 218 },
	{ "ffffffffffff", 0, 79 },
	{ "00636c69656e742d31", 0, 140 },	/* "\0client-1" */
	{ "00", 256, 0 },			/* seed 256 mod 256 */
};

START_TEST(test_hash_vectors)
{
	const struct hash_case *c = &hash_cases[_i];
	uint8_t key[512];
	size_t len;

	len = unhex(c->key, key, sizeof(key));
	if (c->repeat > 0) {
		memset(key, key[0], c->repeat);
		len = c->repeat;
	}
	ck_assert_int_eq(dhcp_hash_bucket(key, len), c->bucket);
}
END_TEST

/* The 300-byte key 00 01 .. ff 00 .. 2b: seed 300 mod 256 = 44. */
START_TEST(test_hash_long)
{
	uint8_t key[300];

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	ck_assert_int_eq(dhcp_hash_bucket(key, sizeof(key)), 79);
}
END_TEST

/* One-byte keys hit every bucket once: the table is a permutation. */
START_TEST(test_hash_permutation)
{
	uint8_t seen[256] = { 0 }, k;

	for (int i = 0; i < 256; i++) {
		k = (uint8_t)i;
		seen[dhcp_hash_bucket(&k, 1)]++;
	}
	for (int i = 0; i < 256; i++)
		ck_assert_uint_eq(seen[i], 1);
}
END_TEST

/* The key of a request: its client identifier, else chaddr[0..hlen-1]. */
START_TEST(test_hash_pkt)
{
	struct dhcp_pkt p;

	decode_ok(&fx_discover, &p);
	ck_assert_int_eq(dhcp_pkt_hash_bucket(&p), 253);
	decode_ok(&fx_request, &p);
	ck_assert_int_eq(dhcp_pkt_hash_bucket(&p), 218);
	decode_ok(&fx_bootp, &p);
	ck_assert_int_eq(dhcp_pkt_hash_bucket(&p),
	    dhcp_hash_bucket(p.chaddr, 6));
	ck_assert_int_ne(dhcp_pkt_hash_bucket(&p),
	    dhcp_hash_bucket(p.chaddr, 16));
}
END_TEST

/* Random damage to the real packets: never a crash; what decodes gets an
 * ACK that decodes back and respects the size limit. */
START_TEST(test_decode_random)
{
	static const struct fx *base[] = {
		&fx_discover, &fx_request, &fx_inform, &fx_bootp,
	};
	struct dhcp_reply rep = { DHCPACK, 0x0a010032, 0, 0x0a010002, 3600,
	    1800, 3150, 0xffffff00, NULL, NULL };
	uint8_t pkt[MAXPKT], out[1500];
	struct dhcp_pkt p, back;
	struct dhcp_optlist l;
	uint32_t seed = 0x2545f491;
	size_t len, olen, ok = 0;
	int why;

	mklist(&l, scope_opts);
	rep.opts = &l;
	for (int i = 0; i < 5000; i++) {
		len = build(base[i % nitems(base)], pkt);
		for (uint32_t n = rnd(&seed) % 8 + 1; n > 0; n--)
			pkt[236 + rnd(&seed) % (len - 236)] =
			    (uint8_t)rnd(&seed);
		if (rnd(&seed) % 4 == 0)
			len = rnd(&seed) % len;
		if (dhcp_pkt_decode(pkt, len, &p, &why) == -1) {
			ck_assert_int_ge(why, 0);
			ck_assert_int_lt(why, DROP_NREASONS);
			continue;
		}
		ok++;
		if (dhcp_pkt_encode_reply(&p, &rep, out, sizeof(out),
		    &olen) == -1)
			continue;
		ck_assert_uint_le(olen, dhcp_pkt_max_msg_size(&p) - 28);
		ck_assert_uint_ge(olen, 300);
		decode_reply(out, olen, &back);
	}
	ck_assert_uint_gt(ok, 250);
	dhcp_optlist_free(&l);
}
END_TEST

static Suite *
pkt_suite(void)
{
	Suite *s = suite_create("dhcp_pkt");
	TCase *tc;

	tc = tcase_create("decode");
	tcase_add_loop_test(tc, test_decode_real, 0, nitems(good_cases));
	tcase_add_loop_test(tc, test_decode_bad, 0, nitems(bad_cases));
	tcase_add_loop_test(tc, test_decode_values, 0, nitems(value_cases));
	tcase_add_loop_test(tc, test_decode_mms, 0, nitems(mms_cases));
	tcase_add_test(tc, test_decode_numbers);
	tcase_add_test(tc, test_decode_optbuf_limit);
	tcase_add_test(tc, test_decode_random);
	suite_add_tcase(s, tc);
	tc = tcase_create("encode");
	tcase_add_loop_test(tc, test_encode_golden, 0, nitems(golden_cases));
	tcase_add_loop_test(tc, test_encode_prl, 0, nitems(prl_cases));
	tcase_add_loop_test(tc, test_encode_size, 0, nitems(size_cases));
	tcase_add_test(tc, test_encode_split);
	tcase_add_test(tc, test_encode_split_overload);
	tcase_add_loop_test(tc, test_encode_relay, 0, nitems(relay_cases));
	tcase_add_test(tc, test_encode_errors);
	tcase_add_test(tc, test_encode_ciaddr);
	tcase_add_test(tc, test_encode_echo);
	suite_add_tcase(s, tc);
	tc = tcase_create("hash");
	tcase_add_loop_test(tc, test_hash_vectors, 0, nitems(hash_cases));
	tcase_add_test(tc, test_hash_long);
	tcase_add_test(tc, test_hash_permutation);
	tcase_add_test(tc, test_hash_pkt);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pkt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
