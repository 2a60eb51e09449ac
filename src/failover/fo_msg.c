/*
 * The failover message codec (fo_msg.h): the draft-ietf-dhc-failover-12
 * §6.1 header and §12 options as ISC dhcpd 4.4 speaks them (reference
 * FAILOVER.md §2, §7), batched binding transactions (§6.3), dhcpfod's
 * range moves in option 29, HMAC-SHA256 digests, and the state and HBA
 * helpers. Pure: no I/O, no allocation; wire bytes only through buf.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "fo.h"
#include "fo_msg.h"
#include "lease.h"
#include "util.h"

#define OPT_HDR		4	/* code, length (draft-12 §6.2) */
#define STR_MAX		255	/* bytes of a decoded string, without its NUL */
#define CHADDR_MAX	16
#define SUB_RANGE	1	/* option 29 sub-option: one range move */
#define RANGE_LEN	9	/* start, end, status */
#define DIGEST_OPT	(OPT_HDR + 1 + FO_DIGEST_LEN)
#define MANDATORY_MAX	127	/* types 0..127 must be understood (§6.1) */
#define TYPE_BIT(t)	(1u << (t))
#define BIND_TYPES	(TYPE_BIT(FO_BNDUPD) | TYPE_BIT(FO_BNDACK))

_Static_assert(sizeof(((struct fo_msg *)0)->relationship) == STR_MAX + 1 &&
    sizeof(((struct fo_msg *)0)->vendor_class) == STR_MAX + 1 &&
    sizeof(((struct fo_msg *)0)->message) == STR_MAX + 1 &&
    sizeof(((struct fo_binding *)0)->message) == STR_MAX + 1,
    "decoded strings are 255 bytes and a NUL");

/* Decoding state of one message. */
struct dec {
	struct fo_msg		*m;
	struct fo_binding	*b;	/* the open binding transaction, or NULL */
	uint32_t		 seen;	/* message-level codes met, bit per code */
	uint32_t		 bseen;	/* codes met in the open transaction */
	int			 digest; /* the message-digest option was met */
	char			*err;
	size_t			 errlen;
};

struct opt;
/* Decode an option's value (its length already checked) into obj, a struct
 * fo_msg or the open struct fo_binding; 0 / -1 with d->err set. */
typedef int	 dec_fn(struct dec *d, const struct opt *, void *obj, struct buf *);
/* Encode an option's value from obj; 0 / -1 (no room, or a value the
 * decoder would refuse). */
typedef int	 enc_fn(const struct opt *, const void *obj, struct wbuf *);

/* One option the codec understands (draft-12 §12; ISC stables.c sizes). */
struct opt {
	uint16_t	 code;
	const char	*name;
	uint16_t	 fixed;		/* exact length, or 0: variable */
	uint16_t	 max;		/* variable: longest accepted */
	uint32_t	 flag;		/* FO_M_* / FO_B_* it sets; 0: none */
	uint32_t	 types;		/* binding options: TYPE_BIT of messages */
	size_t		 off;		/* its field in the struct */
	dec_fn		*dec;
	enc_fn		*enc;
};

static dec_fn	dec_u8, dec_u16, dec_u32, dec_raw, dec_text, dec_name,
		dec_cid, dec_chaddr, dec_vendor, dec_digest;
static enc_fn	enc_u8, enc_u16, enc_u32, enc_raw, enc_text, enc_cid,
		enc_chaddr;

#define M(f)	offsetof(struct fo_msg, f)
#define B(f)	offsetof(struct fo_binding, f)

/* Message-level options, in code order (the order encode writes them).
 * Digest and vendor options have no encoder here: fo_msg_sign writes the
 * one, encode_ranges the other. */
static const struct opt msg_opts[] = {
	{ FO_OPT_ADDRESSES_TRANSFERRED, "addresses-transferred", 4, 4,
	  FO_M_ADDR_TRANSFERRED, 0, M(addr_transferred), dec_u32, enc_u32 },
	{ FO_OPT_DELAYED_SERVICE, "delayed-service-parameter", 1, 1,
	  FO_M_DELAYED_SERVICE, 0, M(delayed_service), dec_u8, enc_u8 },
	{ FO_OPT_HBA, "hash-bucket-assignment", FO_HBA_LEN, FO_HBA_LEN,
	  FO_M_HBA, 0, M(hba), dec_raw, enc_raw },
	{ FO_OPT_MAX_UNACKED, "max-unacked-bndupd", 4, 4,
	  FO_M_MAX_UNACKED, 0, M(max_unacked), dec_u32, enc_u32 },
	{ FO_OPT_MCLT, "MCLT", 4, 4, FO_M_MCLT, 0, M(mclt), dec_u32, enc_u32 },
	{ FO_OPT_MESSAGE, "message", 0, UINT16_MAX,
	  FO_M_MESSAGE, 0, M(message), dec_text, enc_text },
	{ FO_OPT_DIGEST, "message-digest", 0, UINT16_MAX,
	  FO_M_DIGEST, 0, M(digest_type), dec_digest, NULL },
	{ FO_OPT_RECEIVE_TIMER, "receive-timer", 4, 4,
	  FO_M_RECEIVE_TIMER, 0, M(receive_timer), dec_u32, enc_u32 },
	{ FO_OPT_PROTOCOL_VERSION, "protocol-version", 1, 1,
	  FO_M_PROTOCOL_VERSION, 0, M(protocol_version), dec_u8, enc_u8 },
	{ FO_OPT_REJECT_REASON, "reject-reason", 1, 1,
	  FO_M_REJECT, 0, M(reject), dec_u8, enc_u8 },
	{ FO_OPT_RELATIONSHIP, "relationship-name", 0, STR_MAX,
	  FO_M_RELATIONSHIP, 0, M(relationship), dec_name, enc_text },
	{ FO_OPT_SERVER_FLAGS, "server-flags", 1, 1,
	  FO_M_SERVER_FLAGS, 0, M(server_flags), dec_u8, enc_u8 },
	{ FO_OPT_SERVER_STATE, "server-state", 1, 1,
	  FO_M_SERVER_STATE, 0, M(server_state), dec_u8, enc_u8 },
	{ FO_OPT_STOS, "start-time-of-state", 4, 4,
	  FO_M_STOS, 0, M(stos), dec_u32, enc_u32 },
	{ FO_OPT_TLS_REPLY, "TLS-reply", 1, 1,
	  FO_M_TLS_REPLY, 0, M(tls_reply), dec_u8, enc_u8 },
	{ FO_OPT_TLS_REQUEST, "TLS-request", 1, 1,
	  FO_M_TLS_REQUEST, 0, M(tls_request), dec_u8, enc_u8 },
	{ FO_OPT_VENDOR_CLASS, "vendor-class-identifier", 0, UINT16_MAX,
	  FO_M_VENDOR_CLASS, 0, M(vendor_class), dec_text, enc_text },
	{ FO_OPT_VENDOR_OPTIONS, "vendor-specific-options", 0, UINT16_MAX,
	  0, 0, 0, dec_vendor, NULL },
};

/* Options of a binding transaction in BNDUPD and BNDACK (draft-12 §7.1,
 * §7.2), in code order; assigned-IP-address opens the transaction. */
static const struct opt bind_opts[] = {
	{ FO_OPT_ASSIGNED_IP, "assigned-IP-address", 4, 4,
	  0, BIND_TYPES, B(addr), dec_u32, enc_u32 },
	{ FO_OPT_BINDING_STATUS, "binding-status", 1, 1,
	  FO_B_STATUS, BIND_TYPES, B(status), dec_u8, enc_u8 },
	{ FO_OPT_CLIENT_ID, "client-identifier", 0, 255,
	  FO_B_CID, BIND_TYPES, 0, dec_cid, enc_cid },
	{ FO_OPT_CHADDR, "client-hardware-address", 0, 1 + CHADDR_MAX,
	  FO_B_CHADDR, BIND_TYPES, 0, dec_chaddr, enc_chaddr },
	{ FO_OPT_CLTT, "client-last-transaction-time", 4, 4,
	  FO_B_CLTT, BIND_TYPES, B(cltt), dec_u32, enc_u32 },
	{ FO_OPT_IP_FLAGS, "IP-flags", 2, 2,
	  FO_B_FLAGS, BIND_TYPES, B(ip_flags), dec_u16, enc_u16 },
	{ FO_OPT_LEASE_EXP, "lease-expiration-time", 4, 4,
	  FO_B_LEASE_EXP, BIND_TYPES, B(lease_exp), dec_u32, enc_u32 },
	{ FO_OPT_MESSAGE, "message", 0, UINT16_MAX,
	  FO_B_MESSAGE, TYPE_BIT(FO_BNDACK), B(message), dec_text, enc_text },
	{ FO_OPT_POT_EXP, "potential-expiration-time", 4, 4,
	  FO_B_POT_EXP, BIND_TYPES, B(pot_exp), dec_u32, enc_u32 },
	{ FO_OPT_REJECT_REASON, "reject-reason", 1, 1,
	  FO_B_REJECT, TYPE_BIT(FO_BNDACK), B(reject), dec_u8, enc_u8 },
	{ FO_OPT_STOS, "start-time-of-state", 4, 4,
	  FO_B_STOS, BIND_TYPES, B(stos), dec_u32, enc_u32 },
};

#undef M
#undef B

/* Records a protocol error for the caller; always -1. */
static int __attribute__((format(printf, 2, 3)))
fail(struct dec *d, const char *fmt, ...)
{
	va_list ap;

	if (d->err != NULL && d->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(d->err, d->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The binding option of this code in messages of this type, or NULL. */
static const struct opt *
bind_opt(uint8_t type, uint16_t code)
{
	if (type >= 32 || !(BIND_TYPES & TYPE_BIT(type)))
		return NULL;
	for (size_t i = 0; i < nitems(bind_opts); i++)
		if (bind_opts[i].code == code &&
		    (bind_opts[i].types & TYPE_BIT(type)))
			return &bind_opts[i];
	return NULL;
}

/* The message-level option of this code, or NULL. */
static const struct opt *
msg_opt(uint16_t code)
{
	for (size_t i = 0; i < nitems(msg_opts); i++)
		if (msg_opts[i].code == code)
			return &msg_opts[i];
	return NULL;
}

/*
 * Decoding: value handlers.
 */

static void *
field(void *obj, const struct opt *o)
{
	return (uint8_t *)obj + o->off;
}

static const void *
cfield(const void *obj, const struct opt *o)
{
	return (const uint8_t *)obj + o->off;
}

static int
dec_u8(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	return buf_get_u8(v, field(obj, o));
}

static int
dec_u16(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	return buf_get_u16(v, field(obj, o));
}

static int
dec_u32(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	return buf_get_u32(v, field(obj, o));
}

/* A fixed-size byte string (the HBA). */
static int
dec_raw(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	return buf_get_bytes(v, field(obj, o), o->fixed);
}

/* Informational text (message, vendor class): cut at a NUL, and truncated to
 * 255 bytes without splitting a UTF-8 sequence. Never an error. */
static int
dec_text(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	const uint8_t *p, *nul;
	size_t n = buf_remaining(v), back;

	if (buf_get_ptr(v, n, &p) == -1)
		return -1;
	if ((nul = memchr(p, '\0', n)) != NULL)
		n = (size_t)(nul - p);
	if (n > STR_MAX) {
		n = STR_MAX;
		for (back = 0; back < 3 && n > 0 && (p[n] & 0xc0) == 0x80;
		    back++)
			n--;
	}
	memcpy(field(obj, o), p, n);
	return 0;
}

/* The relationship name identifies the partner (ISC compares it byte for
 * byte): over 255 bytes or with a NUL inside it is refused, never cut. */
static int
dec_name(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	const uint8_t *p;
	size_t n = buf_remaining(v);

	if (buf_get_ptr(v, n, &p) == -1)
		return -1;
	if (memchr(p, '\0', n) != NULL)
		return fail(d, "option %u (%s): NUL inside", o->code, o->name);
	memcpy(field(obj, o), p, n);
	return 0;
}

/* client-identifier: the bytes of DHCP option 61 (draft-12 §12.4). */
static int
dec_cid(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	struct fo_binding *b = obj;

	b->cidlen = (uint8_t)buf_remaining(v);
	return buf_get_bytes(v, b->cid, b->cidlen);
}

/* client-hardware-address: htype, which must not be 0, then up to 16 bytes
 * of chaddr (draft-12 §12.5). */
static int
dec_chaddr(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	struct fo_binding *b = obj;

	if (buf_get_u8(v, &b->htype) == -1)
		return fail(d, "option %u (%s): no htype", o->code, o->name);
	if (b->htype == 0)
		return fail(d, "option %u (%s): htype 0", o->code, o->name);
	b->hlen = (uint8_t)buf_remaining(v);
	return buf_get_bytes(v, b->chaddr, b->hlen);
}

/* message-digest (draft-12 §12.17): the type byte is recorded, the digest
 * itself is for fo_msg_verify; nothing may follow it (ISC). */
static int
dec_digest(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	if (buf_get_u8(v, &d->m->digest_type) == -1)
		return fail(d, "option %u (%s): no digest type", o->code,
		    o->name);
	d->digest = 1;
	return 0;
}

/* One dhcpfod range move: start, end, status (FREE or BACKUP), start <= end.
 * Read straight into its slot, so the struct's padding stays zero. */
static int
dec_range(struct dec *d, struct buf *v)
{
	struct fo_range *r;

	if (buf_remaining(v) != RANGE_LEN)
		return fail(d, "range move of %zu bytes, expected %d",
		    buf_remaining(v), RANGE_LEN);
	if (d->m->nr == FO_MSG_RANGES)
		return fail(d, "more than %d range moves", FO_MSG_RANGES);
	r = &d->m->r[d->m->nr];
	if (buf_get_u32(v, &r->start) == -1 || buf_get_u32(v, &r->end) == -1 ||
	    buf_get_u8(v, &r->status) == -1)
		return fail(d, "truncated range move");
	if (r->start > r->end)
		return fail(d, "range move ends before it starts");
	if (r->status != LEASE_FREE && r->status != LEASE_BACKUP)
		return fail(d, "range move to state %u", r->status);
	d->m->nr++;
	return 0;
}

/* vendor-specific-options (draft-12 §12.29): sub-options coded like options
 * (code u16, length u16); sub-option 1 is a dhcpfod range move, the others
 * are skipped. */
static int
dec_vendor(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	struct buf sub;
	uint16_t code, len;

	while (buf_remaining(v) > 0) {
		if (buf_get_u16(v, &code) == -1 || buf_get_u16(v, &len) == -1 ||
		    buf_get_buf(v, len, &sub) == -1)
			return fail(d, "option %u (%s): truncated sub-option",
			    o->code, o->name);
		if (code == SUB_RANGE && dec_range(d, &sub) == -1)
			return -1;
	}
	return 0;
}

/*
 * Decoding: options and header.
 */

/* A fixed-size option must have its size, a variable one at most max
 * (draft-12 §12; ISC: a protocol error). */
static int
check_len(struct dec *d, const struct opt *o, size_t len)
{
	if (o->fixed != 0 && len != o->fixed)
		return fail(d, "option %u (%s): length %zu, expected %u",
		    o->code, o->name, len, o->fixed);
	if (len > o->max)
		return fail(d, "option %u (%s): length %zu, at most %u",
		    o->code, o->name, len, o->max);
	return 0;
}

/* Runs an option's handler on its value; a short read is a decoding bug
 * caught here rather than trusted. */
static int
run_dec(struct dec *d, const struct opt *o, void *obj, struct buf *v)
{
	if (check_len(d, o, buf_remaining(v)) == -1 ||
	    o->dec(d, o, obj, v) == -1) {
		if (d->err != NULL && d->errlen > 0 && d->err[0] == '\0')
			fail(d, "option %u (%s): bad value", o->code, o->name);
		return -1;
	}
	return 0;
}

/* assigned-IP-address begins a binding transaction (draft-12 §6.3). */
static int
open_binding(struct dec *d)
{
	if (d->m->nb == FO_MSG_BINDINGS)
		return fail(d, "more than %d binding transactions",
		    FO_MSG_BINDINGS);
	d->b = &d->m->b[d->m->nb++];
	d->bseen = 0;
	return 0;
}

/* An option of a binding transaction: after its assigned-IP-address, once
 * per transaction (draft-12 §6.3, §7.1). */
static int
dec_bind_opt(struct dec *d, const struct opt *o, struct buf *v)
{
	if (o->code == FO_OPT_ASSIGNED_IP && open_binding(d) == -1)
		return -1;
	if (d->b == NULL)
		return fail(d, "option %u (%s) before any assigned-IP-address",
		    o->code, o->name);
	if (d->bseen & (1u << o->code))
		return fail(d, "option %u (%s) twice in binding %zu", o->code,
		    o->name, d->m->nb);
	d->bseen |= 1u << o->code;
	if (run_dec(d, o, d->b, v) == -1)
		return -1;
	d->b->has |= o->flag;
	return 0;
}

/* A message-level option: at most once (draft-12 §6.2; ISC). */
static int
dec_msg_opt(struct dec *d, const struct opt *o, struct buf *v)
{
	if (d->seen & (1u << o->code))
		return fail(d, "option %u (%s) twice", o->code, o->name);
	d->seen |= 1u << o->code;
	if (run_dec(d, o, d->m, v) == -1)
		return -1;
	d->m->has |= o->flag;
	return 0;
}

/* The TLV options up to the end (draft-12 §6.2): unknown codes are skipped,
 * nothing may follow the digest. */
static int
dec_options(struct dec *d, struct buf *b)
{
	const struct opt *o;
	struct buf v;
	uint16_t code, len;

	while (buf_remaining(b) > 0) {
		if (d->digest)
			return fail(d, "an option follows the message digest");
		if (buf_get_u16(b, &code) == -1 || buf_get_u16(b, &len) == -1 ||
		    buf_get_buf(b, len, &v) == -1)
			return fail(d, "truncated option at byte %zu",
			    buf_offset(b));
		if ((o = bind_opt(d->m->type, code)) != NULL) {
			if (dec_bind_opt(d, o, &v) == -1)
				return -1;
		} else if ((o = msg_opt(code)) != NULL) {
			if (dec_msg_opt(d, o, &v) == -1)
				return -1;
		}
	}
	return 0;
}

/* The 12-byte header (draft-12 §6.1); extra header bytes up to the payload
 * offset are skipped (ISC). */
static int
dec_header(struct dec *d, struct buf *b, size_t len)
{
	struct fo_msg *m = d->m;
	uint16_t mlen;

	if (len < FO_MSG_HDR)
		return fail(d, "truncated header: %zu bytes", len);
	buf_get_u16(b, &mlen);
	buf_get_u8(b, &m->type);
	buf_get_u8(b, &m->payload_off);
	buf_get_u32(b, &m->time);
	buf_get_u32(b, &m->xid);
	if (mlen != len)
		return fail(d, "length field %u, message of %zu bytes", mlen,
		    len);
	if (len > FO_MSG_MAX)
		return fail(d, "message of %zu bytes, at most %d", len,
		    FO_MSG_MAX);
	if (m->payload_off < FO_MSG_HDR)
		return fail(d, "payload offset %u below %d", m->payload_off,
		    FO_MSG_HDR);
	if (m->payload_off > len)
		return fail(d, "payload offset %u past the end (%zu)",
		    m->payload_off, len);
	return buf_skip(b, m->payload_off - FO_MSG_HDR);
}

/* Header, then options by message type: 1..12 decoded; another type below
 * 128 is mandatory and unknown, so it may not carry options; 128..255 are
 * optional and their options skipped (draft-12 §6.1; ISC). */
int
fo_msg_decode(const uint8_t *data, size_t len, struct fo_msg *out,
    char *err, size_t errlen)
{
	struct dec d = { out, NULL, 0, 0, 0, err, errlen };
	struct buf b;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	buf_init(&b, data, len);
	if (dec_header(&d, &b, len) == -1)
		return -1;
	if (out->type >= FO_POOLREQ && out->type <= FO_DISCONNECT)
		return dec_options(&d, &b);
	if (out->type <= MANDATORY_MAX && buf_remaining(&b) > 0)
		return fail(&d, "unknown message type %u with options",
		    out->type);
	return 0;
}

int
fo_msg_frame_len(const uint8_t *p, size_t avail)
{
	struct buf b;
	uint16_t len;

	if (avail < 2)
		return 0;
	buf_init(&b, p, avail);
	if (buf_get_u16(&b, &len) == -1 || len < FO_MSG_MIN ||
	    len > FO_MSG_MAX)
		return -1;
	return len;
}

/*
 * Encoding.
 */

static int
enc_u8(const struct opt *o, const void *obj, struct wbuf *w)
{
	return wbuf_put_u8(w, *(const uint8_t *)cfield(obj, o));
}

static int
enc_u16(const struct opt *o, const void *obj, struct wbuf *w)
{
	return wbuf_put_u16(w, *(const uint16_t *)cfield(obj, o));
}

static int
enc_u32(const struct opt *o, const void *obj, struct wbuf *w)
{
	return wbuf_put_u32(w, *(const uint32_t *)cfield(obj, o));
}

static int
enc_raw(const struct opt *o, const void *obj, struct wbuf *w)
{
	return wbuf_put_bytes(w, cfield(obj, o), o->fixed);
}

/* A string field up to its NUL (255 bytes at most). */
static int
enc_text(const struct opt *o, const void *obj, struct wbuf *w)
{
	const char *s = cfield(obj, o);

	return wbuf_put_bytes(w, s, strnlen(s, STR_MAX));
}

static int
enc_cid(const struct opt *o, const void *obj, struct wbuf *w)
{
	const struct fo_binding *b = obj;

	return wbuf_put_bytes(w, b->cid, b->cidlen);
}

/* htype 0 or more than 16 bytes would not decode: refused. */
static int
enc_chaddr(const struct opt *o, const void *obj, struct wbuf *w)
{
	const struct fo_binding *b = obj;

	if (b->htype == 0 || b->hlen > CHADDR_MAX)
		return -1;
	wbuf_put_u8(w, b->htype);
	return wbuf_put_bytes(w, b->chaddr, b->hlen);
}

/* Writes one option: code, length, then the value its handler writes. */
static int
put_opt(struct wbuf *w, uint16_t code, const struct opt *o, const void *obj)
{
	size_t start = wbuf_len(w), vlen;

	wbuf_put_u16(w, code);
	wbuf_put_u16(w, 0);
	if (wbuf_error(w) || o->enc(o, obj, w) == -1)
		return -1;
	vlen = wbuf_len(w) - start - OPT_HDR;
	if (vlen > UINT16_MAX)
		return -1;
	return wbuf_set_u16(w, start + 2, (uint16_t)vlen);
}

/* Message-level options flagged in has, in code order. One that messages of
 * this type carry per binding (STOS in BNDUPD; reject-reason, message in
 * BNDACK) would decode as a binding option: refused. */
static int
enc_msg_opts(const struct fo_msg *m, struct wbuf *w)
{
	for (const struct opt *o = msg_opts; o < msg_opts + nitems(msg_opts);
	    o++) {
		if (o->enc == NULL || !(m->has & o->flag))
			continue;
		if (bind_opt(m->type, o->code) != NULL ||
		    put_opt(w, o->code, o, m) == -1)
			return -1;
	}
	return 0;
}

/* One binding transaction: assigned-IP-address, then the options flagged in
 * has, in code order (draft-12 §7.1). */
static int
enc_binding(uint8_t type, const struct fo_binding *b, struct wbuf *w)
{
	for (const struct opt *o = bind_opts; o < bind_opts + nitems(bind_opts);
	    o++) {
		if (o->flag != 0 && !(b->has & o->flag))
			continue;
		if (!(o->types & TYPE_BIT(type)) || put_opt(w, o->code, o, b) == -1)
			return -1;
	}
	return 0;
}

/* The range moves as sub-options of one vendor-specific-options option. */
static int
enc_ranges(const struct fo_msg *m, struct wbuf *w)
{
	if (m->nr == 0)
		return 0;
	wbuf_put_u16(w, FO_OPT_VENDOR_OPTIONS);
	wbuf_put_u16(w, (uint16_t)(m->nr * (OPT_HDR + RANGE_LEN)));
	for (size_t i = 0; i < m->nr; i++) {
		const struct fo_range *r = &m->r[i];

		if (r->start > r->end || (r->status != LEASE_FREE &&
		    r->status != LEASE_BACKUP))
			return -1;
		wbuf_put_u16(w, SUB_RANGE);
		wbuf_put_u16(w, RANGE_LEN);
		wbuf_put_u32(w, r->start);
		wbuf_put_u32(w, r->end);
		wbuf_put_u8(w, r->status);
	}
	return wbuf_error(w) ? -1 : 0;
}

/* Bindings and ranges only where the decoder reads them: BNDUPD/BNDACK, and
 * types 1..12 (an unknown type is sent bare). */
static int
enc_check(const struct fo_msg *m)
{
	int known = m->type >= FO_POOLREQ && m->type <= FO_DISCONNECT;

	if (m->nb > FO_MSG_BINDINGS || m->nr > FO_MSG_RANGES)
		return -1;
	if (m->nb > 0 && bind_opt(m->type, FO_OPT_ASSIGNED_IP) == NULL)
		return -1;
	if (!known && ((m->has & ~FO_M_DIGEST) != 0 || m->nr > 0))
		return -1;
	return 0;
}

/* Header with payload offset 12, message-level options, bindings, ranges;
 * the length is set last (draft-12 §6.1). The digest is fo_msg_sign's. */
int
fo_msg_encode(const struct fo_msg *m, uint8_t *out, size_t cap, size_t *len)
{
	struct wbuf w;

	if (enc_check(m) == -1)
		return -1;
	wbuf_init(&w, out, cap < FO_MSG_MAX ? cap : FO_MSG_MAX);
	wbuf_put_u16(&w, 0);
	wbuf_put_u8(&w, m->type);
	wbuf_put_u8(&w, FO_MSG_HDR);
	wbuf_put_u32(&w, m->time);
	wbuf_put_u32(&w, m->xid);
	if (enc_msg_opts(m, &w) == -1)
		return -1;
	for (size_t i = 0; i < m->nb; i++)
		if (enc_binding(m->type, &m->b[i], &w) == -1)
			return -1;
	if (enc_ranges(m, &w) == -1 || wbuf_error(&w) ||
	    wbuf_set_u16(&w, 0, (uint16_t)wbuf_len(&w)) == -1)
		return -1;
	*len = wbuf_len(&w);
	return 0;
}

size_t
fo_msg_binding_len(uint8_t type, const struct fo_binding *b)
{
	uint8_t buf[FO_MSG_MAX];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	if (bind_opt(type, FO_OPT_ASSIGNED_IP) == NULL ||
	    enc_binding(type, b, &w) == -1 || wbuf_error(&w))
		return 0;
	return wbuf_len(&w);
}

/*
 * Message digest: HMAC-SHA256 with the shared secret (FAILOVER.md §1), in a
 * message-digest option that comes last (MIGRATING-FROM-ISC.md item 5).
 */

static int
hmac_sha256(const char *secret, const uint8_t *data, size_t n,
    uint8_t mac[FO_DIGEST_LEN])
{
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret), data, n, mac,
	    &maclen) == NULL || maclen != FO_DIGEST_LEN)
		return -1;
	return 0;
}

/* Sets the final length, MACs every byte so far, appends the option. */
int
fo_msg_sign(uint8_t *msg, size_t *len, size_t cap, const char *secret)
{
	uint8_t mac[FO_DIGEST_LEN];
	size_t total = *len + DIGEST_OPT;
	struct wbuf w;

	if (secret == NULL || *len < FO_MSG_HDR || total > cap ||
	    total > FO_MSG_MAX)
		return -1;
	wbuf_init(&w, msg, 2);
	if (wbuf_put_u16(&w, (uint16_t)total) == -1 ||
	    hmac_sha256(secret, msg, *len, mac) == -1)
		return -1;
	wbuf_init(&w, msg + *len, DIGEST_OPT);
	wbuf_put_u16(&w, FO_OPT_DIGEST);
	wbuf_put_u16(&w, 1 + FO_DIGEST_LEN);
	wbuf_put_u8(&w, FO_DIGEST_HMAC_SHA256);
	if (wbuf_put_bytes(&w, mac, FO_DIGEST_LEN) == -1)
		return -1;
	*len = total;
	return 0;
}

/* The last 37 bytes must be an HMAC-SHA256 digest option whose digest is
 * the MAC of everything before it; compared in constant time. */
int
fo_msg_verify(const uint8_t *msg, size_t len, const char *secret)
{
	uint8_t mac[FO_DIGEST_LEN], type;
	const uint8_t *covered, *got;
	uint16_t mlen, code, olen;
	struct buf b;

	if (secret == NULL || len < FO_MSG_HDR + DIGEST_OPT)
		return -1;
	buf_init(&b, msg, len);
	if (buf_get_u16(&b, &mlen) == -1 || mlen != len)
		return -1;
	buf_init(&b, msg, len);
	buf_get_ptr(&b, len - DIGEST_OPT, &covered);
	buf_get_u16(&b, &code);
	buf_get_u16(&b, &olen);
	buf_get_u8(&b, &type);
	if (buf_get_ptr(&b, FO_DIGEST_LEN, &got) == -1 ||
	    code != FO_OPT_DIGEST || olen != 1 + FO_DIGEST_LEN ||
	    type != FO_DIGEST_HMAC_SHA256)
		return -1;
	if (hmac_sha256(secret, covered, len - DIGEST_OPT, mac) == -1)
		return -1;
	return CRYPTO_memcmp(mac, got, FO_DIGEST_LEN) == 0 ? 0 : -1;
}

/*
 * Names and numbers.
 */

static const char *const type_names[] = {
	[FO_POOLREQ] = "POOLREQ", [FO_POOLRESP] = "POOLRESP",
	[FO_BNDUPD] = "BNDUPD", [FO_BNDACK] = "BNDACK",
	[FO_CONNECT] = "CONNECT", [FO_CONNECTACK] = "CONNECTACK",
	[FO_UPDREQALL] = "UPDREQALL", [FO_UPDDONE] = "UPDDONE",
	[FO_UPDREQ] = "UPDREQ", [FO_STATE] = "STATE",
	[FO_CONTACT] = "CONTACT", [FO_DISCONNECT] = "DISCONNECT",
};

const char *
fo_msg_type_name(int type)
{
	static char unknown[16];

	if (type >= 0 && (size_t)type < nitems(type_names) &&
	    type_names[type] != NULL)
		return type_names[type];
	snprintf(unknown, sizeof(unknown), "type-%d", type);
	return unknown;
}

/* Reject reasons, draft-12 §12.21 (FAILOVER.md §2). */
static const struct {
	int		 code;
	const char	*name;
} reject_names[] = {
	{ FO_REJ_ILLEGAL_IP, "illegal IP address" },
	{ FO_REJ_FATAL_CONFLICT, "fatal conflict with another client" },
	{ FO_REJ_MISSING_BINDING, "missing binding information" },
	{ FO_REJ_TIME_MISMATCH, "time mismatch too great" },
	{ FO_REJ_INVALID_MCLT, "invalid MCLT" },
	{ FO_REJ_UNKNOWN, "unknown reason" },
	{ FO_REJ_DUPLICATE_CONNECTION, "duplicate connection" },
	{ FO_REJ_INVALID_PARTNER, "invalid failover partner" },
	{ FO_REJ_TLS_NOT_SUPPORTED, "TLS not supported" },
	{ FO_REJ_TLS_NOT_CONFIGURED, "TLS supported but not configured" },
	{ FO_REJ_TLS_REQUIRED, "TLS required but not supported by partner" },
	{ FO_REJ_DIGEST_NOT_SUPPORTED, "message digest not supported" },
	{ FO_REJ_DIGEST_NOT_CONFIGURED, "message digest not configured" },
	{ FO_REJ_VERSION_MISMATCH, "protocol version mismatch" },
	{ FO_REJ_OUTDATED, "outdated binding information" },
	{ FO_REJ_LESS_CRITICAL, "less critical binding information" },
	{ FO_REJ_NO_TRAFFIC, "no traffic within sufficient time" },
	{ FO_REJ_HBA_CONFLICT, "hash bucket assignment conflict" },
	{ FO_REJ_NOT_RESERVED, "IP not reserved on this server" },
	{ FO_REJ_DIGEST_FAILED, "message digest failed to compare" },
	{ FO_REJ_DIGEST_MISSING, "missing message digest" },
	{ FO_REJ_OTHER, "unknown" },
};

const char *
fo_reject_name(int reason)
{
	static char unknown[24];

	for (size_t i = 0; i < nitems(reject_names); i++)
		if (reject_names[i].code == reason)
			return reject_names[i].name;
	snprintf(unknown, sizeof(unknown), "reason-%d", reason);
	return unknown;
}

/* Management state <-> draft-12 §12.24 wire number (FAILOVER.md §4). */
static const struct {
	enum fo_state	 state;
	int		 wire;
} wire_states[] = {
	{ FO_NORMAL, 2 }, { FO_COMMUNICATION_INT, 3 }, { FO_PARTNER_DOWN, 4 },
	{ FO_POTENTIAL_CONFLICT, 5 }, { FO_RECOVER, 6 }, { FO_PAUSED, 7 },
	{ FO_SHUTDOWN, 8 }, { FO_RECOVER_DONE, 9 }, { FO_RESOLUTION_INT, 10 },
	{ FO_CONFLICT_DONE, 11 }, { FO_RECOVER_WAIT, 254 },
};

int
fo_state_to_wire(enum fo_state fo_state)
{
	for (size_t i = 0; i < nitems(wire_states); i++)
		if (wire_states[i].state == fo_state)
			return wire_states[i].wire;
	return -1;
}

int
fo_state_from_wire(int wire)
{
	for (size_t i = 0; i < nitems(wire_states); i++)
		if (wire_states[i].wire == wire)
			return wire_states[i].state;
	return -1;
}

/* Buckets 0..n-1 to the primary (ISC `split`, FAILOVER.md §1). */
void
fo_hba_split(uint8_t hba[FO_HBA_LEN], unsigned n)
{
	memset(hba, 0, FO_HBA_LEN);
	for (unsigned b = 0; b < n && b < 8 * FO_HBA_LEN; b++)
		hba[b >> 3] |= (uint8_t)(1u << (b & 7));
}

/* Bit (b & 7), LSB first, of byte b >> 3; set means the primary (ISC's
 * polarity, the reverse of draft-12 §12.11). 0 for a bucket out of range. */
int
fo_hba_primary_serves(const uint8_t hba[FO_HBA_LEN], int bucket)
{
	if (bucket < 0 || bucket >= 8 * FO_HBA_LEN)
		return 0;
	return (hba[bucket >> 3] >> (bucket & 7)) & 1;
}
