/* The DHCPv4 packet codec: requests in (RFC 2131 §2, §4.1; RFC 3396), replies
 * out (RFC 2131 §4.3, Table 3), and the RFC 3074 load-balancing hash. Pure:
 * no I/O, no allocation; wire bytes only through buf.h. */
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "dhcp_opt.h"
#include "dhcp_pkt.h"
#include "stats.h"
#include "util.h"

#define SNAME_OFF	44	/* offsets of sname and file, RFC 2131 §2 */
#define SNAME_LEN	64
#define FILE_OFF	108
#define FILE_LEN	128
#define INST_MAX	255	/* value bytes in one option instance */
#define MAXPIECES	16	/* instances of one split option: plan_item */
#define MAXFIXED	10	/* options of a reply that are always sent */

/* Where options live, in the order they are read and concatenated
 * (RFC 2131 §4.1, RFC 3396). */
enum field { F_OPTIONS, F_FILE, F_SNAME, NFIELDS };

static const uint8_t	 empty[1];

/* Bit per option code. */
static int
bit_isset(const uint8_t *set, uint8_t code)
{
	return (set[code >> 3] >> (code & 7)) & 1;
}

static void
bit_set(uint8_t *set, uint8_t code)
{
	set[code >> 3] |= (uint8_t)(1 << (code & 7));
}

/*
 * Decoding. Two walks over the same fields: the first sizes each code's
 * value and checks the framing, the second copies the instances of each code
 * one after the other into its slice of optbuf.
 */

/* A walk: the packet, and the bytes of values met so far. */
struct walk {
	struct dhcp_pkt	*pkt;
	size_t		 total;
};

typedef int	 inst_fn(struct walk *, uint8_t, struct buf *);

/* Lengths of the options whose values the server reads (RFC 2132 §9,
 * RFC 3011); option 52 is checked as it is met. */
static const struct optlen_rule {
	uint8_t		 code;
	uint16_t	 min, max;
} optlen_rules[] = {
	{ DHO_REQUESTED_ADDR,	4, 4 },
	{ DHO_LEASE_TIME,	4, 4 },
	{ DHO_MSG_TYPE,		1, 1 },
	{ DHO_SERVER_ID,	4, 4 },
	{ DHO_MAX_MSG_SIZE,	2, 2 },
	{ DHO_CLIENT_ID,	2, DHCP_PKT_OPTBUF },
	{ DHO_SUBNET_SELECT,	4, 4 },
};

/* Reads the options of one field, handing each instance to fn: PAD is
 * skipped, END or the field's end stops (RFC 2132 §3). 0 / -1. */
static int
walk_field(struct walk *w, const uint8_t *data, size_t len, inst_fn *fn)
{
	struct buf b, val;
	uint8_t code, n;

	buf_init(&b, data, len);
	while (buf_get_u8(&b, &code) == 0 && code != DHO_END) {
		if (code == DHO_PAD)
			continue;
		if (buf_get_u8(&b, &n) == -1 || buf_get_buf(&b, n, &val) == -1)
			return -1;
		if (fn(w, code, &val) == -1)
			return -1;
	}
	return 0;
}

/* The options field, then file and sname if option 52 says so (RFC 2131
 * §4.1). */
static int
walk_all(struct walk *w, const uint8_t *opts, size_t len, inst_fn *fn)
{
	struct dhcp_pkt *p = w->pkt;

	if (walk_field(w, opts, len, fn) == -1)
		return -1;
	if ((p->overload & 1) &&
	    walk_field(w, p->file, sizeof(p->file), fn) == -1)
		return -1;
	if ((p->overload & 2) &&
	    walk_field(w, p->sname, sizeof(p->sname), fn) == -1)
		return -1;
	return 0;
}

/* Option 52 (RFC 2132 §9.3): once, value 1..3. file and sname are read only
 * after one was seen, so one inside them (a loop, or a field pointing at
 * itself) is a second one: refused. */
static int
note_overload(struct walk *w, struct buf *val)
{
	uint8_t v;

	if (w->pkt->overload != 0 || buf_remaining(val) != 1)
		return -1;
	if (buf_get_u8(val, &v) == -1 || v < 1 || v > 3)
		return -1;
	w->pkt->overload = v;
	return 0;
}

/* First walk: adds the instance's length to its code's; bounds the total. */
static int
inst_count(struct walk *w, uint8_t code, struct buf *val)
{
	struct dhcp_pkt *p = w->pkt;
	size_t n = buf_remaining(val);

	if (code == DHO_OVERLOAD && note_overload(w, val) == -1)
		return -1;
	if (n > DHCP_PKT_OPTBUF - w->total)
		return -1;
	w->total += n;
	p->optlen[code] += (uint16_t)n;
	bit_set(p->optset, code);
	return 0;
}

/* Second walk: appends the instance to its code's value (RFC 3396). */
static int
inst_copy(struct walk *w, uint8_t code, struct buf *val)
{
	struct dhcp_pkt *p = w->pkt;
	size_t n = buf_remaining(val);

	if (buf_get_bytes(val, p->optbuf + p->optoff[code] + p->optlen[code],
	    n) == -1)
		return -1;
	p->optlen[code] += (uint16_t)n;
	return 0;
}

/* Gives each code its slice of optbuf, in code order, emptied for the copy. */
static void
layout_values(struct dhcp_pkt *p)
{
	uint16_t off = 0;

	for (size_t c = 0; c < nitems(p->optoff); c++) {
		p->optoff[c] = off;
		off += p->optlen[c];
		p->optlen[c] = 0;
	}
}

/* Options the server reads must have the length their RFC gives. */
static int
check_lengths(const struct dhcp_pkt *p)
{
	const struct optlen_rule *r;

	for (r = optlen_rules; r < optlen_rules + nitems(optlen_rules); r++) {
		if (bit_isset(p->optset, r->code) &&
		    (p->optlen[r->code] < r->min ||
		    p->optlen[r->code] > r->max))
			return -1;
	}
	return 0;
}

/* Everything after the cookie, the file and sname fields if overloaded, into
 * the per-code values (RFC 2131 §4.1, RFC 3396). 0 / -1. */
static int
decode_options(struct dhcp_pkt *p, struct buf *b)
{
	struct walk w = { p, 0 };
	const uint8_t *opts;
	size_t len = buf_remaining(b);

	if (buf_get_ptr(b, len, &opts) == -1 ||
	    walk_all(&w, opts, len, inst_count) == -1)
		return -1;
	layout_values(p);
	if (walk_all(&w, opts, len, inst_copy) == -1)
		return -1;
	return check_lengths(p);
}

/* The fixed part (RFC 2131 §2), field by field; -1 if the data is short. */
static int
decode_header(struct buf *b, struct dhcp_pkt *p)
{
	buf_get_u8(b, &p->op);
	buf_get_u8(b, &p->htype);
	buf_get_u8(b, &p->hlen);
	buf_get_u8(b, &p->hops);
	buf_get_u32(b, &p->xid);
	buf_get_u16(b, &p->secs);
	buf_get_u16(b, &p->flags);
	buf_get_u32(b, &p->ciaddr);
	buf_get_u32(b, &p->yiaddr);
	buf_get_u32(b, &p->siaddr);
	buf_get_u32(b, &p->giaddr);
	buf_get_bytes(b, p->chaddr, sizeof(p->chaddr));
	buf_get_bytes(b, p->sname, sizeof(p->sname));
	buf_get_bytes(b, p->file, sizeof(p->file));
	return buf_error(b) ? -1 : 0;
}

/* Checks and decodes a request; -1 with the enum stats_drop reason. */
static int
decode(const uint8_t *data, size_t len, struct dhcp_pkt *p, int *why)
{
	struct buf b;
	uint32_t cookie;

	buf_init(&b, data, len);
	if (decode_header(&b, p) == -1 || buf_get_u32(&b, &cookie) == -1)
		*why = DROP_TRUNCATED;
	else if (p->op != BOOTREQUEST)
		*why = DROP_BAD_OP;
	else if (p->htype != DHCP_HTYPE_ETHER || p->hlen != DHCP_HLEN_ETHER)
		*why = DROP_BAD_HTYPE;
	else if (cookie != DHCP_COOKIE || decode_options(p, &b) == -1)
		*why = DROP_BAD_OPTION;
	else
		return 0;
	return -1;
}

int
dhcp_pkt_decode(const uint8_t *data, size_t len, struct dhcp_pkt *p,
    int *drop_reason)
{
	const uint8_t *v;
	size_t n;
	int why;

	memset(p, 0, offsetof(struct dhcp_pkt, optbuf));
	if (decode(data, len, p, &why) == -1) {
		if (drop_reason != NULL)
			*drop_reason = why;
		return -1;
	}
	if ((v = dhcp_pkt_opt(p, DHO_MSG_TYPE, &n)) != NULL)
		p->msgtype = v[0];
	else
		p->bootp = 1;
	return 0;
}

const uint8_t *
dhcp_pkt_opt(const struct dhcp_pkt *p, uint8_t code, size_t *len)
{
	*len = 0;
	if (code == DHO_PAD || code == DHO_END || !bit_isset(p->optset, code))
		return NULL;
	*len = p->optlen[code];
	return p->optbuf + p->optoff[code];
}

int
dhcp_pkt_msgtype(const struct dhcp_pkt *p)
{
	return p->msgtype;
}

/* A four-byte option as a host-order number. */
static int
opt_u32(const struct dhcp_pkt *p, uint8_t code, uint32_t *v)
{
	const uint8_t *d;
	struct buf b;
	size_t len;

	*v = 0;
	if ((d = dhcp_pkt_opt(p, code, &len)) == NULL || len != 4)
		return -1;
	buf_init(&b, d, len);
	return buf_get_u32(&b, v);
}

int
dhcp_pkt_requested_addr(const struct dhcp_pkt *p, uint32_t *v)
{
	return opt_u32(p, DHO_REQUESTED_ADDR, v);
}

int
dhcp_pkt_server_id(const struct dhcp_pkt *p, uint32_t *v)
{
	return opt_u32(p, DHO_SERVER_ID, v);
}

int
dhcp_pkt_lease_time(const struct dhcp_pkt *p, uint32_t *v)
{
	return opt_u32(p, DHO_LEASE_TIME, v);
}

int
dhcp_pkt_subnet_select(const struct dhcp_pkt *p, uint32_t *v)
{
	return opt_u32(p, DHO_SUBNET_SELECT, v);
}

const uint8_t *
dhcp_pkt_client_id(const struct dhcp_pkt *p, size_t *len)
{
	return dhcp_pkt_opt(p, DHO_CLIENT_ID, len);
}

const uint8_t *
dhcp_pkt_param_req(const struct dhcp_pkt *p, size_t *len)
{
	return dhcp_pkt_opt(p, DHO_PARAM_REQ, len);
}

const uint8_t *
dhcp_pkt_host_name(const struct dhcp_pkt *p, size_t *len)
{
	return dhcp_pkt_opt(p, DHO_HOST_NAME, len);
}

const uint8_t *
dhcp_pkt_relay_info(const struct dhcp_pkt *p, size_t *len)
{
	return dhcp_pkt_opt(p, DHO_RELAY_INFO, len);
}

/* Option 57, never below the 576 every client must accept (RFC 2132 §9.10). */
unsigned int
dhcp_pkt_max_msg_size(const struct dhcp_pkt *p)
{
	const uint8_t *d;
	struct buf b;
	size_t len;
	uint16_t v;

	if ((d = dhcp_pkt_opt(p, DHO_MAX_MSG_SIZE, &len)) == NULL)
		return DHCP_MIN_MSG_SIZE;
	buf_init(&b, d, len);
	if (len != 2 || buf_get_u16(&b, &v) == -1 || v < DHCP_MIN_MSG_SIZE)
		return DHCP_MIN_MSG_SIZE;
	return v;
}

/*
 * Encoding. A plan lists the options in the order they are sent; fill lays
 * them out in the options field and, with option overload, in file and
 * sname, first-fit, splitting values over 255 bytes (RFC 3396).
 */

/* One option to send; len may exceed 255. data is never NULL. */
struct item {
	uint8_t		 code;
	const uint8_t	*data;
	size_t		 len;
};

/* What a reply carries: fixed options (options field only), optional ones
 * in preference order, the relay agent option. */
struct plan {
	struct item	 fixed[MAXFIXED];
	size_t		 nfixed;
	struct item	 opt[256];
	size_t		 nopt;
	struct item	 relay;
	int		 has_relay;
	uint8_t		 num[MAXFIXED][4];	/* values of fixed numbers */
	size_t		 nnum;
	uint8_t		 sent[32];		/* bit per code planned */
};

/* One reply being encoded. */
struct enc {
	const struct dhcp_pkt	*req;
	const struct dhcp_reply	*rep;
	uint8_t			*out;
	size_t			 max;		/* bytes the reply may take */
	struct plan		 pl;
};

/* The fields options are written to; left is what each may still take,
 * its END and the relay option's room excluded. */
struct fields {
	struct wbuf	 w[NFIELDS];	/* w[F_OPTIONS]: the whole packet */
	size_t		 left[NFIELDS];
	size_t		 ovl;		/* offset of option 52's value; 0 */
};

/* One instance of a split option: its field and value length. */
struct piece {
	enum field	 field;
	size_t		 len;
};

/* Codes the server sets itself or only echoes: never taken from opts. */
static const uint8_t managed_codes[] = {
	DHO_PAD, DHO_REQUESTED_ADDR, DHO_LEASE_TIME, DHO_OVERLOAD, DHO_MSG_TYPE,
	DHO_SERVER_ID, DHO_PARAM_REQ, DHO_MESSAGE, DHO_MAX_MSG_SIZE, DHO_T1,
	DHO_T2, DHO_CLIENT_ID, DHO_RELAY_INFO, DHO_SUBNET_SELECT, DHO_END,
};

/* Sent even when not requested, if the scope has them (as ISC dhcpd and Kea
 * do for clients without option 55). */
static const uint8_t default_codes[] = {
	DHO_ROUTERS, DHO_DNS_SERVERS, DHO_DOMAIN_NAME,
};

static int
is_managed(uint8_t code)
{
	for (size_t i = 0; i < nitems(managed_codes); i++)
		if (managed_codes[i] == code)
			return 1;
	return 0;
}

/* Bytes an option takes on the wire, split per RFC 3396 if over 255. */
static size_t
item_room(size_t len)
{
	size_t n = (len + INST_MAX - 1) / INST_MAX;

	return len + 2 * (n > 0 ? n : 1);
}

/* Appends an option to the fixed or optional list, once per code. */
static void
plan_add(struct plan *pl, int fixed, uint8_t code, const uint8_t *data,
    size_t len)
{
	struct item *it;

	if (bit_isset(pl->sent, code))
		return;
	if (fixed && pl->nfixed < nitems(pl->fixed))
		it = &pl->fixed[pl->nfixed++];
	else if (!fixed && pl->nopt < nitems(pl->opt))
		it = &pl->opt[pl->nopt++];
	else
		return;
	bit_set(pl->sent, code);
	it->code = code;
	it->data = data != NULL ? data : empty;
	it->len = data != NULL ? len : 0;
}

/* A fixed option holding a big-endian number of width bytes. */
static void
plan_num(struct plan *pl, uint8_t code, uint32_t v, size_t width)
{
	struct wbuf w;
	uint8_t *d;

	if (pl->nnum == nitems(pl->num))
		return;
	d = pl->num[pl->nnum++];
	wbuf_init(&w, d, width);
	if (width == 1)
		wbuf_put_u8(&w, (uint8_t)v);
	else
		wbuf_put_u32(&w, v);
	plan_add(pl, 1, code, d, width);
}

/* A fixed option echoing the request's value, if it had one. */
static void
plan_echo(struct plan *pl, const struct dhcp_pkt *req, uint8_t code)
{
	const uint8_t *d;
	size_t len;

	if ((d = dhcp_pkt_opt(req, code, &len)) != NULL)
		plan_add(pl, 1, code, d, len);
}

/* An optional option from the scope's list, unless the server manages it. */
static void
plan_list(struct plan *pl, const struct dhcp_optlist *opts, uint8_t code)
{
	const struct dhcp_opt *o;

	if (opts == NULL || is_managed(code))
		return;
	if ((o = dhcp_optlist_get(opts, code)) != NULL)
		plan_add(pl, 0, code, o->data, o->len);
}

/* 51, 58, 59 and 1 of an OFFER or ACK (RFC 2131 Table 3); 0 omits. The mask
 * may come from the option list instead. */
static void
plan_lease(struct plan *pl, const struct dhcp_reply *rep)
{
	const struct dhcp_opt *o;

	if (rep->lease_time != 0)
		plan_num(pl, DHO_LEASE_TIME, rep->lease_time, 4);
	if (rep->t1 != 0)
		plan_num(pl, DHO_T1, rep->t1, 4);
	if (rep->t2 != 0)
		plan_num(pl, DHO_T2, rep->t2, 4);
	if (rep->subnet_mask != 0)
		plan_num(pl, DHO_SUBNET_MASK, rep->subnet_mask, 4);
	else if (rep->opts != NULL &&
	    (o = dhcp_optlist_get(rep->opts, DHO_SUBNET_MASK)) != NULL)
		plan_add(pl, 1, DHO_SUBNET_MASK, o->data, o->len);
}

/* The options the client asked for, in its order (RFC 2132 §9.8, RFC 2131
 * §4.3.1), then the common ones it did not ask for. */
static void
plan_params(struct plan *pl, const struct dhcp_pkt *req,
    const struct dhcp_optlist *opts)
{
	const uint8_t *prl;
	size_t n;

	if ((prl = dhcp_pkt_param_req(req, &n)) != NULL)
		for (size_t i = 0; i < n; i++)
			plan_list(pl, opts, prl[i]);
	for (size_t i = 0; i < nitems(default_codes); i++)
		plan_list(pl, opts, default_codes[i]);
}

/* The options of a reply, in order (RFC 2131 Table 3; RFC 6842 echoes
 * 61, RFC 3011 echoes 118, RFC 3046 §2.2 echoes 82). */
static void
plan_reply(struct plan *pl, const struct dhcp_pkt *req,
    const struct dhcp_reply *rep)
{
	const uint8_t *d;
	size_t len;

	pl->nfixed = pl->nopt = pl->nnum = 0;
	pl->has_relay = 0;
	memset(pl->sent, 0, sizeof(pl->sent));
	plan_num(pl, DHO_MSG_TYPE, (uint32_t)rep->type, 1);
	plan_num(pl, DHO_SERVER_ID, rep->server_id, 4);
	if (rep->type != DHCPNAK)
		plan_lease(pl, rep);
	plan_echo(pl, req, DHO_CLIENT_ID);
	if (rep->type != DHCPNAK) {
		plan_echo(pl, req, DHO_SUBNET_SELECT);
		plan_params(pl, req, rep->opts);
	} else if (rep->message != NULL && rep->message[0] != '\0')
		plan_add(pl, 0, DHO_MESSAGE, (const uint8_t *)rep->message,
		    strlen(rep->message));
	if ((d = dhcp_pkt_relay_info(req, &len)) != NULL) {
		pl->relay = (struct item){ DHO_RELAY_INFO, d, len };
		pl->has_relay = 1;
	}
}

/*
 * Where the instances of an option of len bytes go, taking from left[] the
 * room they use: a value up to 255 bytes whole into the first of the nf
 * fields with room; a longer one split (RFC 3396) over the fields in
 * order, so it concatenates back in order. Each piece either carries
 * 255 bytes or fills a field, so MAXPIECES bounds any value up to
 * DHCP_PKT_OPTBUF. Returns the number of pieces, or -1 if it does not fit.
 */
static int
plan_item(size_t *left, size_t nf, size_t len, struct piece *pc)
{
	size_t f = 0, n = 0, chunk;

	if (len <= INST_MAX) {
		while (f < nf && left[f] < len + 2)
			f++;
		if (f == nf)
			return -1;
		left[f] -= len + 2;
		pc[0] = (struct piece){ (enum field)f, len };
		return 1;
	}
	while (len > 0) {
		while (f < nf && left[f] < 3)
			f++;
		if (f == nf || n == MAXPIECES)
			return -1;
		chunk = len < INST_MAX ? len : INST_MAX;
		if (chunk > left[f] - 2)
			chunk = left[f] - 2;
		left[f] -= chunk + 2;
		pc[n++] = (struct piece){ (enum field)f, chunk };
		len -= chunk;
	}
	return (int)n;
}

/* Writes one option into the first nf fields if it fits; 0 / -1 (nothing
 * written). */
static int
put_item(struct fields *fs, const struct item *it, size_t nf)
{
	struct piece pc[MAXPIECES];
	size_t left[NFIELDS], off = 0;
	struct wbuf *w;
	int n;

	memcpy(left, fs->left, sizeof(left));
	if ((n = plan_item(left, nf, it->len, pc)) == -1)
		return -1;
	for (int i = 0; i < n; i++) {
		w = &fs->w[pc[i].field];
		wbuf_put_u8(w, it->code);
		wbuf_put_u8(w, (uint8_t)pc[i].len);
		wbuf_put_bytes(w, it->data + off, pc[i].len);
		off += pc[i].len;
	}
	memcpy(fs->left, left, sizeof(left));
	return 0;
}

/* The fixed part of a reply (RFC 2131 §4.3.1, Table 3; the broadcast bit of
 * a relayed DHCPNAK, §4.3.2), sname and file zeroed, then the cookie. */
static void
put_header(struct wbuf *w, const struct dhcp_pkt *req,
    const struct dhcp_reply *rep)
{
	int nak = rep->type == DHCPNAK;
	uint16_t flags = req->flags;

	if (nak && req->giaddr != 0)
		flags |= DHCP_FLAG_BROADCAST;
	wbuf_put_u8(w, BOOTREPLY);
	wbuf_put_u8(w, req->htype);
	wbuf_put_u8(w, req->hlen);
	wbuf_put_u8(w, 0);			/* hops */
	wbuf_put_u32(w, req->xid);
	wbuf_put_u16(w, 0);			/* secs */
	wbuf_put_u16(w, flags);
	wbuf_put_u32(w, rep->type == DHCPACK ? req->ciaddr : 0);
	wbuf_put_u32(w, nak ? 0 : rep->yiaddr);
	wbuf_put_u32(w, nak ? 0 : rep->siaddr);
	wbuf_put_u32(w, req->giaddr);
	wbuf_put_bytes(w, req->chaddr, sizeof(req->chaddr));
	wbuf_put_zero(w, SNAME_LEN + FILE_LEN);
	wbuf_put_u32(w, DHCP_COOKIE);
}

/* Header written, writers over the three fields; the options field keeps
 * room for END and the relay option, file and sname for END. */
static int
fields_init(struct fields *fs, struct enc *e, int overload, size_t reserve)
{
	size_t room = e->max - DHCP_OPTIONS_OFF - 1;

	wbuf_init(&fs->w[F_OPTIONS], e->out, e->max);
	put_header(&fs->w[F_OPTIONS], e->req, e->rep);
	wbuf_init(&fs->w[F_FILE], e->out + FILE_OFF, FILE_LEN);
	wbuf_init(&fs->w[F_SNAME], e->out + SNAME_OFF, SNAME_LEN);
	if (reserve > room)
		return -1;
	fs->left[F_OPTIONS] = room - reserve;
	fs->left[F_FILE] = overload ? FILE_LEN - 1 : 0;
	fs->left[F_SNAME] = overload ? SNAME_LEN - 1 : 0;
	fs->ovl = 0;
	return 0;
}

/* Message type first, then option 52 if overloading (its value set once the
 * fields used are known), then the rest, all in the options field. */
static int
put_fixed(struct fields *fs, const struct plan *pl, int overload)
{
	static const struct item ovl = { DHO_OVERLOAD, empty, 1 };

	if (put_item(fs, &pl->fixed[0], 1) == -1)
		return -1;
	if (overload) {
		if (put_item(fs, &ovl, 1) == -1)
			return -1;
		fs->ovl = wbuf_len(&fs->w[F_OPTIONS]) - 1;
	}
	for (size_t i = 1; i < pl->nfixed; i++)
		if (put_item(fs, &pl->fixed[i], 1) == -1)
			return -1;
	return 0;
}

/* END in each field used, option 52's value naming them (RFC 2131 §4.1),
 * the padding to the BOOTP minimum. fill keeps overloading only when file or
 * sname took an option, so the value is never 0 in a reply sent. */
static void
fields_finish(struct fields *fs)
{
	struct wbuf *w = &fs->w[F_OPTIONS];
	uint8_t ovl = 0;

	wbuf_put_u8(w, DHO_END);
	for (int f = F_FILE; f < NFIELDS; f++) {
		if (wbuf_len(&fs->w[f]) == 0)
			continue;
		wbuf_put_u8(&fs->w[f], DHO_END);
		ovl |= f == F_FILE ? 1 : 2;
	}
	if (fs->ovl != 0)
		wbuf_set_u8(w, fs->ovl, ovl);
	if (wbuf_len(w) < DHCP_MIN_LEN)
		wbuf_put_zero(w, DHCP_MIN_LEN - wbuf_len(w));
}

/*
 * Writes the whole reply: fixed options, then as many optional ones as fit,
 * in order, first-fit over the fields in use, then option 82 last in the
 * options field (relay agents look for it there). Returns how many optional
 * options were placed, or -1 if the fixed ones or option 82 do not fit.
 */
static int
fill(struct enc *e, int overload, size_t *len)
{
	const struct plan *pl = &e->pl;
	struct fields fs;
	size_t k, need;

	need = pl->has_relay ? item_room(pl->relay.len) : 0;
	if (fields_init(&fs, e, overload, need) == -1 ||
	    put_fixed(&fs, pl, overload) == -1)
		return -1;
	for (k = 0; k < pl->nopt; k++)
		if (put_item(&fs, &pl->opt[k], NFIELDS) == -1)
			break;
	fs.left[F_OPTIONS] += need;
	if (pl->has_relay && put_item(&fs, &pl->relay, 1) == -1)
		return -1;
	fields_finish(&fs);
	for (size_t f = 0; f < NFIELDS; f++)
		if (wbuf_error(&fs.w[f]))
			return -1;
	*len = wbuf_len(&fs.w[F_OPTIONS]);
	return (int)k;
}

/* The options field alone, or with file and sname (option overload, only
 * when the options field is full: RFC 2131 §4.1), whichever places more
 * requested options; the output is left holding the one chosen. */
static int
layout(struct enc *e, size_t *len)
{
	int plain, ovl;

	if ((plain = fill(e, 0, len)) == -1)
		return -1;
	if ((size_t)plain == e->pl.nopt)
		return 0;
	if ((ovl = fill(e, 1, len)) > plain)
		return 0;
	return fill(e, 0, len) == -1 ? -1 : 0;
}

/* The longest reply: the client's option 57 less the IP and UDP headers (576
 * leaves the 312-octet options field of RFC 2131 §2), and outlen. */
static size_t
reply_max(const struct dhcp_pkt *req, size_t outlen)
{
	size_t max = dhcp_pkt_max_msg_size(req) - DHCP_UDP_OVERHEAD;

	return max < outlen ? max : outlen;
}

int
dhcp_pkt_encode_reply(const struct dhcp_pkt *req, const struct dhcp_reply *rep,
    uint8_t *out, size_t outlen, size_t *len)
{
	struct enc e;

	*len = 0;
	if (outlen < DHCP_MIN_LEN || (rep->type != DHCPOFFER &&
	    rep->type != DHCPACK && rep->type != DHCPNAK))
		return -1;
	e.req = req;
	e.rep = rep;
	e.out = out;
	e.max = reply_max(req, outlen);
	plan_reply(&e.pl, req, rep);
	return layout(&e, len);
}

/* RFC 3074 §6: the mixing table, a permutation of 0..255. */
static const uint8_t loadb_mx_tbl[256] = {
	251, 175, 119, 215,  81,  14,  79, 191, 103,  49,
	181, 143, 186, 157,   0, 232,  31,  32,  55,  60,
	152,  58,  17, 237, 174,  70, 160, 144, 220,  90,
	 57, 223,  59,   3,  18, 140, 111, 166, 203, 196,
	134, 243, 124,  95, 222, 179, 197,  65, 180,  48,
	 36,  15, 107,  46, 233, 130, 165,  30, 123, 161,
	209,  23,  97,  16,  40,  91, 219,  61, 100,  10,
	210, 109, 250, 127,  22, 138,  29, 108, 244,  67,
	207,   9, 178, 204,  74,  98, 126, 249, 167, 116,
	 34,  77, 193, 200, 121,   5,  20, 113,  71,  35,
	128,  13, 182,  94,  25, 226, 227, 199,  75,  27,
	 41, 245, 230, 224,  43, 225, 177,  26, 155, 150,
	212, 142, 218, 115, 241,  73,  88, 105,  39, 114,
	 62, 255, 192, 201, 145, 214, 168, 158, 221, 148,
	154, 122,  12,  84,  82, 163,  44, 139, 228, 236,
	205, 242, 217,  11, 187, 146, 159,  64,  86, 239,
	195,  42, 106, 198, 118, 112, 184, 172,  87,   2,
	173, 117, 176, 229, 247, 253, 137, 185,  99, 164,
	102, 147,  45,  66, 231,  52, 141, 211, 194, 206,
	246, 238,  56, 110,  78, 248,  63, 240, 189,  93,
	 92,  51,  53, 183,  19, 171,  72,  50,  33, 104,
	101,  69,   8, 252,  83, 120,  76, 135,  85,  54,
	202, 125, 188, 213,  96, 235, 136, 208, 162, 129,
	190, 132, 156,  38,  47,   1,   7, 254,  24,   4,
	216, 131,  89,  21,  28, 133,  37, 153, 149,  80,
	170,  68,   6, 169, 234, 151,
};

/* RFC 3074 §6 loadb_p_hash: Pearson's hash seeded with the key length (mod
 * 256), over the key from its last byte to its first. */
int
dhcp_hash_bucket(const uint8_t *key, size_t len)
{
	uint8_t hash = (uint8_t)len;

	for (size_t i = len; i > 0; i--)
		hash = loadb_mx_tbl[hash ^ key[i - 1]];
	return hash;
}

int
dhcp_pkt_hash_bucket(const struct dhcp_pkt *p)
{
	const uint8_t *id;
	size_t len;

	if ((id = dhcp_pkt_client_id(p, &len)) != NULL && len > 0)
		return dhcp_hash_bucket(id, len);
	len = p->hlen < sizeof(p->chaddr) ? p->hlen : sizeof(p->chaddr);
	return dhcp_hash_bucket(p->chaddr, len);
}
