/* One failover relationship's connection and state (draft-12 §7.8-§7.12,
 * §8, §9): the handshake, STATE, keepalives, digests, and the state
 * machine's decisions applied. Its clock: fo_tick.c; binding traffic: fo_upd.c. */
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "daemon.h"
#include "err.h"
#include "fo.h"
#include "fo_conn.h"
#include "fo_fsm.h"
#include "fo_int.h"
#include "fo_msg.h"
#include "log.h"
#include "util.h"

static void peer_message(void *, struct fo_conn *, const uint8_t *, size_t);
static void peer_read_done(void *, struct fo_conn *);
static void peer_closed(void *, struct fo_conn *, const char *);
static void peer_connected(void *, struct fo_conn *);
static void peer_evaluate(struct fo_peer *);

static const struct fo_conn_cb peer_cb = {
	.connected = peer_connected,
	.message = peer_message,
	.read_done = peer_read_done,
	.closed = peer_closed,
};

struct fo_msg *
fo_msg_new(int type)
{
	struct fo_msg *m = calloc(1, sizeof(*m));

	if (m != NULL)
		m->type = (uint8_t)type;
	return m;
}

struct store *
fo_peer_store(struct fo_peer *p)
{
	return p->fo->d->store;
}

/* The relationship's name, for messages. */
const char *
fo_peer_name(const struct fo_peer *p)
{
	return p->rel.name;
}

/* The hash-bucket assignment the primary announces (FAILOVER.md §1): buckets
 * 0 .. round(256 x percentage / 100) - 1 are the primary's; hot standby: all. */
static void
peer_hba(struct fo_peer *p)
{
	unsigned n = p->rel.mode == FO_MODE_HOT_STANDBY ? 256 :
	    (256 * p->rel.percentage + 50) / 100;

	fo_hba_split(p->hba, n > 256 ? 256 : n);
}

static void send_state(struct fo_peer *);
static void hba_changed(struct fo_peer *);

void
fo_peer_update(struct fo_peer *p, const struct fo_rel *rel)
{
	int changed = p->fo != NULL && p->rel.name[0] != '\0' &&
	    p->rel.state != rel->state;
	uint8_t hba[FO_HBA_LEN];

	memcpy(hba, p->hba, sizeof(hba));

	fo_rel_fini(&p->rel);
	p->rel = *rel;
	p->rel.scopes = NULL;
	p->rel.nscopes = 0;
	if (rel->nscopes > 0 && (p->rel.scopes = calloc(rel->nscopes,
	    sizeof(*rel->scopes))) != NULL) {
		memcpy(p->rel.scopes, rel->scopes, rel->nscopes * sizeof(*rel->scopes));
		p->rel.nscopes = rel->nscopes;
	}
	p->partner_addr = rel->server_type == FO_PRIMARY ? rel->secondary_server :
	    rel->primary_server;
	if (rel->server_type == FO_PRIMARY)
		peer_hba(p);
	if (changed) {		/* the operator moved it (failover.set) */
		p->takeover = 0;
		if (p->link >= FO_LINK_UP)
			send_state(p);
	}
	if (p->fo != NULL && rel->server_type == FO_PRIMARY &&
	    p->link >= FO_LINK_WAIT_ACK && memcmp(hba, p->hba, sizeof(hba)) != 0)
		hba_changed(p);
}

/* percentage or mode changed on the primary: the new hash-bucket assignment
 * travels in CONNECT (draft-12 §7.8), so the link is dropped and made again
 * at the next tick (within 1 s: by then the partner has seen the close, and
 * does not refuse the new connection as a second one). Meanwhile both are in
 * COMMUNICATION_INT and answer every client from their own free addresses
 * (FAILOVER.md §5.6), so no bucket goes unanswered. */
static void
hba_changed(struct fo_peer *p)
{
	log_notice("failover %s: hash-bucket assignment changed: reconnecting to "
	    "send it", fo_peer_name(p));
	fo_peer_link_lost(p, "hash-bucket assignment changed");
	p->backoff = 0;
	p->next_connect = time_mono();
}

/* Persist what changed in the relationship row besides its state (inside
 * the read's transaction when one is open). */
void
fo_peer_save(struct fo_peer *p)
{
	struct store *st = fo_peer_store(p);
	int own = !store_txn_open(st);

	if ((own && store_begin(st) == -1) || store_rel_update(st, &p->rel) != 0 ||
	    (own && store_commit(st) == -1)) {
		if (own)
			store_rollback(st);
		log_warnx("failover %s: cannot save: %s", fo_peer_name(p), store_errmsg(st));
	}
}

/* Whether the last stop was graceful and complete (fo_peer_stopped): the
 * relationship was left in SHUTDOWN with its failure time MCLT back. */
static int
stopped_clean(const struct fo_peer *p)
{
	return p->rel.prev_state == FO_SHUTDOWN && p->rel.fail_time != 0 &&
	    p->rel.fail_time + (int64_t)p->rel.mclt <= time_wall();
}

/* Encode, sign and queue m on c. */
static int
send_on(struct fo_peer *p, struct fo_conn *c, struct fo_msg *m)
{
	uint8_t buf[FO_MSG_MAX];
	size_t len;

	m->time = (uint32_t)time_wall();
	if (fo_msg_encode(m, buf, sizeof(buf) - FO_DIGEST_ROOM, &len) == -1 ||
	    (p->rel.shared_secret[0] != '\0' &&
	    fo_msg_sign(buf, &len, sizeof(buf), p->rel.shared_secret) == -1)) {
		log_warnx("failover %s: cannot encode %s", fo_peer_name(p),
		    fo_msg_type_name(m->type));
		return -1;
	}
	if (fo_conn_send(c, buf, len) == -1)
		return -2;
	log_debug("failover %s: sent %s xid %u", fo_peer_name(p),
	    fo_msg_type_name(m->type), m->xid);
	return 0;
}

int
fo_peer_send(struct fo_peer *p, struct fo_msg *m, int response)
{
	int rc;

	if (p->conn == NULL)
		return -1;
	if (!response)
		m->xid = ++p->xid;
	if ((rc = send_on(p, p->conn, m)) == -2) {
		fo_peer_link_lost(p, "output queue full");
		return -1;
	}
	if (rc == 0)
		p->last_tx = time_mono();
	return rc;
}

/* STATE (draft-12 §7.10): our state, STARTUP as a flag over the state we
 * will resume; the flag stays until we have heard the partner's state since
 * we started: a state resumed without contact is provisional (the partner
 * may have taken over meanwhile), and a partner in PARTNER_DOWN ignores it
 * (§9.4.3) instead of meeting it with a conflict. */
static void
send_state(struct fo_peer *p)
{
	struct fo_msg *m = fo_msg_new(FO_STATE);
	enum fo_state st = p->rel.state;

	if (m == NULL)
		return;
	m->has = FO_M_SERVER_STATE | FO_M_SERVER_FLAGS | FO_M_STOS;
	if (st == FO_STARTUP)
		st = fo_fsm_resume(p->rel.prev_state);
	if (p->rel.state == FO_STARTUP || !p->met)
		m->server_flags = FO_SERVER_FLAG_STARTUP;
	m->server_state = (uint8_t)fo_state_to_wire(st);
	m->stos = (uint32_t)p->rel.stos;
	fo_peer_send(p, m, 0);
	free(m);
}

/* Our receive timer (draft-12 §8.3 tReceive): the relationship's
 * max_response_delay (ISC's max-response-delay), else FO_RECEIVE_TIMER. */
static uint32_t
own_rtimer(const struct fo_peer *p)
{
	return p->rel.max_response_delay ? p->rel.max_response_delay :
	    FO_RECEIVE_TIMER;
}

/* The max-unacked-bndupd we advertise (draft-12 §12.14): the relationship's
 * max_unacked (ISC's max-unacked-updates) when set; else 20 in CONNECT, and
 * in CONNECTACK 128 to dhcpfod, twice the partner's window to others. */
static uint32_t
own_window(const struct fo_peer *p, int type)
{
	if (p->rel.max_unacked > 0)
		return p->rel.max_unacked;
	if (type == FO_CONNECT)
		return FO_CONNECT_UNACKED;
	if (p->partner_dhcpfod || p->partner_window * 2 > FO_MAX_UNACKED)
		return FO_MAX_UNACKED;
	return p->partner_window * 2;
}

/* The options CONNECT and CONNECTACK share (draft-12 §7.8, §7.9). */
static void
hello_options(struct fo_peer *p, struct fo_msg *m)
{
	size_t n = strlen(p->rel.name);

	m->has |= FO_M_RELATIONSHIP | FO_M_MAX_UNACKED | FO_M_RECEIVE_TIMER |
	    FO_M_VENDOR_CLASS | FO_M_PROTOCOL_VERSION;
	if (n >= sizeof(m->relationship))	/* 126 characters fit unless wide */
		n = sizeof(m->relationship) - 1;
	memcpy(m->relationship, p->rel.name, n);
	m->relationship[n] = '\0';
	m->max_unacked = own_window(p, m->type);
	m->receive_timer = p->rtimer = own_rtimer(p);	/* kept for this link */
	snprintf(m->vendor_class, sizeof(m->vendor_class), FO_VENDOR_PREFIX "%s",
	    DHCPFOD_VERSION);
	m->protocol_version = 1;
}

static void
send_connect(struct fo_peer *p)
{
	struct fo_msg *m = fo_msg_new(FO_CONNECT);

	if (m == NULL)
		return;
	hello_options(p, m);
	m->has |= FO_M_TLS_REQUEST | FO_M_MCLT | FO_M_HBA;
	m->mclt = p->rel.mclt;
	memcpy(m->hba, p->hba, sizeof(m->hba));
	if (fo_peer_send(p, m, 0) == 0)
		p->link = FO_LINK_WAIT_ACK;
	free(m);
}

/* Record what the partner's CONNECT/CONNECTACK told us of itself. */
static void
learn_partner(struct fo_peer *p, const struct fo_msg *m)
{
	p->partner_window = (m->has & FO_M_MAX_UNACKED) && m->max_unacked > 0 ?
	    m->max_unacked : 1;
	p->partner_rtimer = (m->has & FO_M_RECEIVE_TIMER) && m->receive_timer > 0 ?
	    m->receive_timer : FO_RECEIVE_TIMER;
	p->partner_dhcpfod = (m->has & FO_M_VENDOR_CLASS) &&
	    strncmp(m->vendor_class, FO_VENDOR_PREFIX, strlen(FO_VENDOR_PREFIX)) == 0;
	p->skew = (int64_t)m->time - time_wall();
}

/* The link is up (CONNECTACK sent or received): both send STATE (§8.3). */
static void
link_up(struct fo_peer *p)
{
	char a[16];

	p->link = FO_LINK_UP;
	p->backoff = 0;
	p->asked = 0;
	fo_unacked_reset(&p->unacked);
	log_notice("failover %s: connected to %s (%s)", fo_peer_name(p),
	    addr_str(p->partner_addr, a), p->partner_dhcpfod ? "dhcpfod, batching" :
	    "draft-12");
	send_state(p);
}

/* Remember a refused CONNECT, ours or the partner's, for failover.get and
 * the metrics (draft-12 §7.9: the reject-reason and message). */
static void
note_reject(struct fo_peer *p, int reason, const char *text, int by_partner)
{
	p->last_reject.reason = reason;
	p->last_reject.by_partner = by_partner;
	snprintf(p->last_reject.message, sizeof(p->last_reject.message), "%s", text);
	for (char *c = p->last_reject.message; *c != '\0'; c++)
		if (*c < 0x20 || *c > 0x7e)	/* the partner's text: JSON-safe */
			*c = '?';
	p->last_reject.time = time_wall();
	p->connect_rejects++;
}

/* Refuse a CONNECT (draft-12 §7.9): CONNECTACK with the reason, and the
 * connection closed once it is written, so that the partner reads why. */
static void
connect_reject(struct fo_peer *p, const struct fo_msg *req, int reason,
    const char *text)
{
	struct fo_msg *m = fo_msg_new(FO_CONNECTACK);

	log_warnx("failover %s: CONNECT refused: %s", fo_peer_name(p), text);
	note_reject(p, reason, text, 0);
	if (m != NULL) {
		hello_options(p, m);
		m->has |= FO_M_REJECT | FO_M_MESSAGE;
		m->reject = (uint8_t)reason;
		m->xid = req->xid;
		snprintf(m->message, sizeof(m->message), "%s", text);
		fo_peer_send(p, m, 1);
		free(m);
	}
	p->linger_close = 1;
	fo_peer_link_lost(p, text);
}

/* Clock skew check of draft-12 §7.8.2 step 5 (ISC: 60 s, FAILOVER.md §6). */
static int
skew_ok(struct fo_peer *p)
{
	p->skew_bad = p->skew > FO_MAX_CLOCK_SKEW || p->skew < -FO_MAX_CLOCK_SKEW;
	if (p->skew_bad)
		log_warnx("failover %s: ERROR_DHCP_FO_TIME_OUT_OF_SYNC: the partner's "
		    "clock is %lld s off (at most %d allowed)", fo_peer_name(p),
		    (long long)p->skew, FO_MAX_CLOCK_SKEW);
	return !p->skew_bad;
}

/* Why a CONNECT is refused, in draft-12 §7.8.2 order; 0 if it is not. */
static int
connect_check(struct fo_peer *p, const struct fo_msg *m, const char **why)
{
	if (p->rel.server_type != FO_SECONDARY)
		return *why = "CONNECT sent to the primary", FO_REJ_INVALID_PARTNER;
	/* on the secondary's own connection nothing has matched the name yet */
	if (!(m->has & FO_M_RELATIONSHIP) ||
	    strcasecmp(m->relationship, p->rel.name) != 0)
		return *why = "unknown relationship name", FO_REJ_INVALID_PARTNER;
	if (!(m->has & FO_M_PROTOCOL_VERSION) || m->protocol_version != 1)
		return *why = "protocol version", FO_REJ_VERSION_MISMATCH;
	if (!skew_ok(p))
		return *why = "clocks differ by more than 60 s", FO_REJ_TIME_MISMATCH;
	if (!(m->has & FO_M_MCLT) || m->mclt == 0)
		return *why = "no MCLT", FO_REJ_INVALID_MCLT;
	if (!(m->has & FO_M_HBA))
		return *why = "no hash bucket assignment", FO_REJ_HBA_CONFLICT;
	return 0;
}

/* The secondary checks a CONNECT and answers (draft-12 §7.8.2, §7.9). */
static void
on_connect(struct fo_peer *p, const struct fo_msg *m)
{
	struct fo_msg *ack;
	const char *why;
	int reason;

	learn_partner(p, m);
	if ((reason = connect_check(p, m, &why)) != 0) {
		connect_reject(p, m, reason, why);
		return;
	}
	memcpy(p->hba, m->hba, sizeof(p->hba));
	if (p->rel.mclt != m->mclt) {	/* §5.6: the secondary learns the MCLT */
		p->rel.mclt = m->mclt;
		fo_peer_save(p);
	}
	if ((ack = fo_msg_new(FO_CONNECTACK)) == NULL)
		return;
	hello_options(p, ack);
	/* the name as the primary spelt it: ISC compares it byte for byte,
	 * where dhcpfod matches names case-insensitively */
	memcpy(ack->relationship, m->relationship, sizeof(ack->relationship));
	ack->xid = m->xid;
	if (m->has & FO_M_TLS_REQUEST)
		ack->has |= FO_M_TLS_REPLY;
	if (fo_peer_send(p, ack, 1) == 0)
		link_up(p);
	free(ack);
}

/* The primary's CONNECT was answered. */
static void
on_connectack(struct fo_peer *p, const struct fo_msg *m)
{
	if (p->link != FO_LINK_WAIT_ACK)
		return;
	learn_partner(p, m);
	if (m->has & FO_M_REJECT) {
		log_warnx("failover %s: the partner refused CONNECT: %s (%s)",
		    fo_peer_name(p), fo_reject_name(m->reject), m->message);
		note_reject(p, m->reject, m->message, 1);
		if (m->reject == FO_REJ_TIME_MISMATCH)
			skew_ok(p);	/* our view of it, logged and shown */
		fo_peer_link_lost(p, "CONNECT refused");
		return;
	}
	if (strcmp(m->relationship, p->rel.name) != 0 || !skew_ok(p)) {
		fo_peer_link_lost(p, "CONNECTACK for another relationship or clock skew");
		return;
	}
	link_up(p);
}

/* The partner's first STATE since this server started (draft-12 §9.3.2):
 * STARTUP ends; a partner in PARTNER_DOWN ran without us, in STARTUP or
 * after it: catch up first, waiting MCLT from now before serving
 * (RECOVER_WAIT), unless we stopped gracefully with every binding
 * acknowledged by a partner that took over (fo_peer_stopped back-dated
 * the failure). */
static void
first_contact(struct fo_peer *p, enum fo_state partner)
{
	enum fo_state next = fo_fsm_first_contact(p->rel.state, p->rel.prev_state,
	    partner);

	p->met = 1;
	if (next == p->rel.state) {
		send_state(p);		/* no longer provisional: no flag */
		return;
	}
	if (next == FO_RECOVER && partner == FO_PARTNER_DOWN) {
		if (!stopped_clean(p))
			p->rel.fail_time = time_wall();
		fo_peer_set_state(p, FO_RECOVER, "partner is PARTNER_DOWN");
	} else
		fo_peer_set_state(p, next, "partner in contact");
}

/* The partner heard for the first time ever: every binding of the
 * relationship is sent, those older than the relationship too (a relationship
 * created over live scopes, FAILOVER.md §5.1). */
static void
first_meeting(struct fo_peer *p)
{
	struct store *st = fo_peer_store(p);
	int own = !store_txn_open(st);

	if ((own && store_begin(st) == -1) ||
	    store_pending_mark_all(st, p->rel.name) == -1 ||
	    (own && store_commit(st) == -1)) {
		if (own)
			store_rollback(st);
		log_warnx("failover %s: cannot mark the bindings for the partner: %s",
		    fo_peer_name(p), store_errmsg(st));
	}
}

/* STATE (draft-12 §7.10): the partner's state, then the state machine. */
static void
on_state(struct fo_peer *p, const struct fo_msg *m)
{
	int wire = fo_state_from_wire(m->server_state);
	enum fo_state st = wire < 0 ? FO_NO_STATE : (enum fo_state)wire;
	int first = p->link != FO_LINK_OK;

	if (!(m->has & FO_M_SERVER_STATE) || wire < 0) {
		log_warnx("failover %s: STATE without a valid state (%u)", fo_peer_name(p),
		    m->server_state);
		return;
	}
	p->partner_flags = m->server_flags;
	p->partner_stos = m->stos;
	if (st != p->partner_state || first)
		log_notice("failover %s: partner is %s%s", fo_peer_name(p),
		    fo_state_name(st), (m->server_flags & FO_SERVER_FLAG_STARTUP) ?
		    " (starting up)" : "");
	p->partner_state = st;
	if (p->rel.partner_state != st) {
		if (p->rel.partner_state == FO_NO_STATE)
			first_meeting(p);
		p->rel.partner_state = st;
		fo_peer_save(p);
	}
	if (first) {
		p->link = FO_LINK_OK;
		fo_upd_link_up(p);
	}
	if (!p->met)
		first_contact(p, st);
	peer_evaluate(p);
	fo_peer_schedule(p);
	fo_stop_check(p->fo);
}

static void
on_disconnect(struct fo_peer *p, const struct fo_msg *m)
{
	log_notice("failover %s: partner disconnects: %s", fo_peer_name(p),
	    (m->has & FO_M_MESSAGE) ? m->message : fo_reject_name(m->reject));
	fo_peer_link_lost(p, "DISCONNECT");
}

static void
on_upddone(struct fo_peer *p, const struct fo_msg *m)
{
	struct fo_fsm_in in = { p->rel.server_type, p->rel.state, p->partner_state,
	    0, time_wall(), p->rel.stos, p->rel.fail_time, p->rel.mclt };
	struct fo_fsm_out out;

	log_info("failover %s: partner sent every binding asked for", fo_peer_name(p));
	if (p->resync_done != NULL && m->xid == p->resync_xid) {
		/* failover.resync's answer, not the state machine's (§7.5: an
		 * UPDDONE carries its request's xid) */
		fo_resync_end(p, 0, NULL);
		return;
	}
	/* the state machine's request superseded a running resync */
	fo_resync_end(p, ERR_FO_STATE_NOT_NORMAL, "superseded by the state "
	    "machine's own request");
	fo_fsm_upddone(&in, &out);
	if (out.state != p->rel.state)
		fo_peer_set_state(p, out.state, out.why);
	peer_evaluate(p);
}

static void
on_poolresp(struct fo_peer *p, const struct fo_msg *m)
{
	p->poolreq_out = 0;
	log_info("failover %s: partner moved %u addresses", fo_peer_name(p),
	    m->addr_transferred);
}

static void
on_nothing(struct fo_peer *p, const struct fo_msg *m)
{
}

static void
on_updreq(struct fo_peer *p, const struct fo_msg *m)
{
	fo_upd_on_updreq(p, m, 0);
}

static void
on_updreqall(struct fo_peer *p, const struct fo_msg *m)
{
	fo_upd_on_updreq(p, m, 1);
}

typedef void (*msg_fn)(struct fo_peer *, const struct fo_msg *);

/* Handlers by message type; min_link: the handshake stage each needs. */
static const struct {
	msg_fn	fn;
	int	min_link;
} handlers[] = {
	[FO_POOLREQ] = { fo_move_pool_request, FO_LINK_OK },
	[FO_POOLRESP] = { on_poolresp, FO_LINK_OK },
	[FO_BNDUPD] = { fo_upd_on_bndupd, FO_LINK_UP },
	[FO_BNDACK] = { fo_upd_on_bndack, FO_LINK_UP },
	[FO_CONNECT] = { on_connect, FO_LINK_DOWN },
	[FO_CONNECTACK] = { on_connectack, FO_LINK_WAIT_ACK },
	[FO_UPDREQALL] = { on_updreqall, FO_LINK_OK },
	[FO_UPDDONE] = { on_upddone, FO_LINK_OK },
	[FO_UPDREQ] = { on_updreq, FO_LINK_OK },
	[FO_STATE] = { on_state, FO_LINK_UP },
	[FO_CONTACT] = { on_nothing, FO_LINK_UP },
	[FO_DISCONNECT] = { on_disconnect, FO_LINK_DOWN },
};

/* With a shared secret, a message must also be fresh (draft-12 §11.1,
 * fo_replay.c): 1 if it is refused (logged and counted). */
static int
replay_refused(struct fo_peer *p, const struct fo_msg *m)
{
	char why[160];

	if (p->rel.shared_secret[0] == '\0' ||
	    fo_replay_check(&p->replay, m, why, sizeof(why)) == 0)
		return 0;
	p->replays++;
	log_warnx("failover %s: replayed or stale message refused: %s",
	    fo_peer_name(p), why);
	return 1;
}

/* One message from the partner: digest, decode, dispatch (draft-12 §6). */
static void
peer_message(void *arg, struct fo_conn *c, const uint8_t *data, size_t len)
{
	struct fo_peer *p = arg;
	struct fo_msg *m;
	char err[160];

	p->last_rx = time_mono();
	if (p->rel.shared_secret[0] != '\0' &&
	    fo_msg_verify(data, len, p->rel.shared_secret) == -1) {
		fo_drop(p->fo, FODROP_DIGEST);
		log_warnx("failover %s: message digest missing or wrong: closing",
		    fo_peer_name(p));
		fo_peer_link_lost(p, "message digest failed");
		return;
	}
	if ((m = fo_msg_new(0)) == NULL)
		return;
	if (fo_msg_decode(data, len, m, err, sizeof(err)) == -1) {
		fo_drop(p->fo, FODROP_MALFORMED);
		log_warnx("failover %s: protocol error: %s", fo_peer_name(p), err);
		fo_peer_link_lost(p, "protocol error");
	} else if (replay_refused(p, m)) {
		fo_peer_link_lost(p, "replayed message");
	} else if (m->type >= nitems(handlers) || handlers[m->type].fn == NULL) {
		log_debug("failover %s: message type %u ignored", fo_peer_name(p), m->type);
	} else if (p->link < handlers[m->type].min_link) {
		fo_drop(p->fo, FODROP_OUT_OF_TURN);
		log_warnx("failover %s: %s out of turn", fo_peer_name(p),
		    fo_msg_type_name(m->type));
		fo_peer_link_lost(p, "message out of turn");
	} else {
		log_debug("failover %s: received %s xid %u", fo_peer_name(p),
		    fo_msg_type_name(m->type), m->xid);
		handlers[m->type].fn(p, m);
	}
	free(m);
}

static void
peer_read_done(void *arg, struct fo_conn *c)
{
	fo_upd_read_done(arg);
}

static void
peer_closed(void *arg, struct fo_conn *c, const char *why)
{
	struct fo_peer *p = arg;

	fo_drop_framing(p->fo, c);
	fo_peer_link_lost(p, why);
}

static void
peer_connected(void *arg, struct fo_conn *c)
{
	struct fo_peer *p = arg;

	p->last_rx = p->last_tx = time_mono();
	if (p->rel.server_type == FO_PRIMARY)
		send_connect(p);
	else		/* ISC: a primary sends CONNECT on every connection */
		p->link = FO_LINK_WAIT_CONNECT;
}

/* A CONNECT on a second connection while the link is up: CONNECTACK with
 * reject 7, as ISC answers it, then that connection closes. */
static void
refuse_duplicate(struct fo_peer *p, struct fo_conn *c, const struct fo_msg *req)
{
	struct fo_msg *m = fo_msg_new(FO_CONNECTACK);
	char a[16];

	log_info("failover %s: CONNECT from %s on a second connection refused: "
	    "already connected", fo_peer_name(p), addr_str(fo_conn_peer(c), a));
	if (m != NULL) {
		hello_options(p, m);
		m->has |= FO_M_REJECT | FO_M_MESSAGE;
		m->reject = FO_REJ_DUPLICATE_CONNECTION;
		m->xid = req->xid;
		snprintf(m->message, sizeof(m->message), "already connected");
		send_on(p, c, m);
		free(m);
	}
	fo_conn_linger(c);
}

void
fo_peer_adopt(struct fo_peer *p, struct fo_conn *c, const struct fo_msg *m)
{
	struct fo_replay keep = p->replay;

	fo_replay_link(&p->replay);	/* a new connection's CONNECT */
	if (replay_refused(p, m)) {
		p->replay = keep;
		fo_conn_free(c);
		return;
	}
	if (p->conn != NULL && p->link >= FO_LINK_WAIT_ACK) {
		p->replay = keep;	/* the current link's order stands */
		refuse_duplicate(p, c, m);
		return;
	}
	/* our own connection out, not answered yet: the partner's CONNECT on
	 * the one it opened wins */
	fo_conn_free(p->conn);
	p->conn = c;
	p->link = FO_LINK_DOWN;
	p->last_rx = p->last_tx = time_mono();
	fo_conn_set_cb(c, &peer_cb, p);
	on_connect(p, m);
}

int
fo_peer_take(struct fo_peer *p, struct fo_conn *c)
{
	if (p->rel.server_type != FO_PRIMARY || p->link >= FO_LINK_WAIT_ACK)
		return -1;
	fo_conn_free(p->conn);		/* our own connect, still in progress */
	p->conn = c;
	p->link = FO_LINK_CONNECTING;
	p->last_rx = p->last_tx = time_mono();
	fo_conn_set_cb(c, &peer_cb, p);
	send_connect(p);
	return 0;
}

void
fo_peer_link_lost(struct fo_peer *p, const char *why)
{
	int was = p->link;
	int64_t now = time_mono();

	if (p->conn == NULL && was == FO_LINK_DOWN)
		return;
	if (was >= FO_LINK_UP)
		log_notice("failover %s: connection lost: %s", fo_peer_name(p), why);
	else if (p->rel.server_type == FO_PRIMARY)
		log_info("failover %s: connection failed: %s", fo_peer_name(p), why);
	else	/* the secondary's stimulus connection: the primary may not listen */
		log_debug("failover %s: connection failed: %s", fo_peer_name(p), why);
	if (p->linger_close)
		fo_conn_linger(p->conn);	/* a reject still to be written */
	else
		fo_conn_free(p->conn);
	p->linger_close = 0;
	p->conn = NULL;
	p->link = FO_LINK_DOWN;
	/* at most 4 s: below the partner's STARTUP period, so that a restarted
	 * secondary hears from us before it resumes on its own */
	p->backoff = p->backoff ? (p->backoff * 2 > 4 ? 4 : p->backoff * 2) : 1;
	p->next_connect = now + p->backoff;
	fo_upd_link_down(p);
	fo_replay_link(&p->replay);
	p->poolreq_out = 0;
	fo_resync_end(p, ERR_FO_STATE_NOT_NORMAL, "the connection was lost");
	if (was == FO_LINK_OK && fo_fsm_comm_lost(p->rel.state) != p->rel.state) {
		p->rel.fail_time = time_wall();
		fo_peer_set_state(p, fo_fsm_comm_lost(p->rel.state), why);
	}
	fo_stop_check(p->fo);
}

void
fo_peer_set_state(struct fo_peer *p, enum fo_state state, const char *why)
{
	enum fo_state old = p->rel.state;
	int rc;

	if (state == old)
		return;
	/* a RECOVER without a known failure waits MCLT from now unless the
	 * partner recovers too (§9.5.3, §9.6; ISC counts from RECOVER's STOS):
	 * a server whose database was re-created may have leased addresses it
	 * no longer knows of */
	if (state == FO_RECOVER && p->rel.fail_time == 0)
		p->rel.fail_time = time_wall();
	rc = fo_change_state(fo_peer_store(p), &p->rel, state, why);
	if (rc != 0) {
		log_warnx("failover %s: %s -> %s refused (%s)", fo_peer_name(p),
		    fo_state_name(old), fo_state_name(state), rc == -2 ?
		    "not a move of the state machine" : store_errmsg(fo_peer_store(p)));
		return;
	}
	p->takeover = 0;
	if (state == FO_NORMAL && p->rel.server_type == FO_PRIMARY)
		p->next_rebal = time_mono();	/* FAILOVER.md §11: on entering NORMAL */
	if (p->link == FO_LINK_OK) {
		/* after the bindings written so far: a partner told that we
		 * left PARTNER_DOWN must already know every address we leased
		 * in it (ours and, taken over, its own) */
		p->state_seq = store_write_seq(fo_peer_store(p));
		p->state_owed = 1;
		fo_peer_schedule(p);
	} else if (p->link >= FO_LINK_UP)
		send_state(p);
}

void
fo_peer_send_state(struct fo_peer *p)
{
	p->state_owed = 0;
	send_state(p);
}

/* Apply the table to the partner's known state until it settles (a move of
 * ours can make the same partner state mean a further move). */
static void
peer_evaluate(struct fo_peer *p)
{
	for (int i = 0; i < 4 && p->link == FO_LINK_OK; i++) {
		struct fo_fsm_in in = { p->rel.server_type, p->rel.state,
		    p->partner_state, (p->partner_flags & FO_SERVER_FLAG_STARTUP) != 0,
		    time_wall(), p->rel.stos, p->rel.fail_time, p->rel.mclt };
		struct fo_fsm_out out;
		char why[64];

		fo_fsm_partner_state(&in, &out);
		if ((out.act & (FO_ACT_UPDREQ | FO_ACT_UPDREQALL)) && !p->asked)
			fo_upd_ask(p, (out.act & FO_ACT_UPDREQALL) != 0);
		if (out.state == p->rel.state)
			return;
		snprintf(why, sizeof(why), "partner is %s", fo_state_name(p->partner_state));
		fo_peer_set_state(p, out.state, why);
		if (p->rel.state != out.state)
			return;		/* refused */
	}
}

/* A failover.resync (fo_maint.c) ends: UPDDONE (code 0) or the link went
 * away. */
void
fo_resync_end(struct fo_peer *p, int code, const char *detail)
{
	fo_done_fn done = p->resync_done;
	json_t *res = NULL;

	if (done == NULL)
		return;
	p->resync_done = NULL;
	if (code == 0) {
		res = json_pack("{s:I}", "ms",
		    (json_int_t)(time_mono_ms() - p->resync_t0_ms));
		log_notice("failover %s: resynchronised: the partner sent every "
		    "binding", p->rel.name);
	}
	done(p->resync_arg, res, code, detail);
}

void
fo_peer_evaluate(struct fo_peer *p)
{
	peer_evaluate(p);
}

/* Open the connection out to the partner (draft-12 §8.2: both roles connect;
 * the primary sends CONNECT on it, the secondary waits for one). */
void
fo_peer_connect(struct fo_peer *p, int64_t now)
{
	p->conn = fo_conn_connect(p->fo->d->base, p->partner_addr, p->rel.port,
	    &peer_cb, p);
	p->link = FO_LINK_CONNECTING;
	p->last_rx = p->last_tx = now;
	if (p->conn == NULL)
		fo_peer_link_lost(p, strerror(errno));
}

struct fo_peer *
fo_peer_new(struct fo *fo, const struct fo_rel *rel)
{
	struct fo_peer *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->fo = fo;
	p->partner_state = FO_NO_STATE;
	p->partner_rtimer = FO_RECEIVE_TIMER;
	p->rtimer = FO_RECEIVE_TIMER;
	p->partner_window = 1;
	fo_peer_update(p, rel);
	if (fo_tick_start(p) == -1) {
		fo_peer_free(p);
		return NULL;
	}
	p->startup_until = time_mono() + FO_STARTUP_SECS;
	p->next_rebal = time_mono() + FO_REBAL_PERIOD;
	if (fo->started && fo_fsm_created(1) == p->rel.state &&
	    p->rel.prev_state == FO_INIT)
		log_notice("failover %s: created over scopes with leases: serving "
		    "in %s until the partner is heard", fo_peer_name(p),
		    fo_state_name(p->rel.state));
	else if (p->rel.state != FO_STARTUP)
		fo_peer_set_state(p, FO_STARTUP, "starting");
	log_info("failover %s: %s of %s, waiting for the partner", fo_peer_name(p),
	    fo_role_name(p->rel.server_type), fo_mode_name(p->rel.mode));
	return p;
}

void
fo_peer_free(struct fo_peer *p)
{
	if (p == NULL)
		return;
	fo_conn_free(p->conn);
	p->conn = NULL;
	p->link = FO_LINK_DOWN;
	fo_upd_link_down(p);
	fo_resync_end(p, ERR_FO_REL_DOES_NOT_EXIST, "the relationship is gone");
	fo_tick_stop(p);
	free(p->fl);
	free(p->rq);
	free(p->ackm);
	free(p->ackq);
	fo_rel_fini(&p->rel);
	free(p);
}
