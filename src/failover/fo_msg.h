/*
 * Failover message codec: draft-ietf-dhc-failover-12 §6 (12-byte header, TLV
 * options of §12) as ISC dhcpd 4.4 speaks it (docs/FAILOVER.md §2,
 * MIGRATING-FROM-ISC.md), plus dhcpfod's own batching extension. Pure: no I/O, no daemon; every
 * byte goes through the buf API. Fuzzed by tests/fuzz/fuzz_fo_msg.c.
 */
#ifndef DHCPFOD_FO_MSG_H
#define DHCPFOD_FO_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "fo.h"		/* enum fo_state */

#define FO_MSG_HDR	12	/* length, type, payload offset, time, xid */
#define FO_MSG_MIN	12	/* draft-12 §6.1: length counts itself */
#define FO_MSG_MAX	2048
#define FO_MSG_BINDINGS	64	/* binding transactions one message may carry */
#define FO_MSG_RANGES	64	/* dhcpfod range moves one message may carry */
#define FO_HBA_LEN	32	/* hash-bucket-assignment: 256 bits */
#define FO_DIGEST_HMAC_SHA256 2	/* message-digest type; draft-12 type 1 is MD5 */
#define FO_DIGEST_LEN	32
#define FO_DIGEST_ROOM	(4 + 1 + FO_DIGEST_LEN)	/* the option fo_msg_sign adds */

/* The vendor-class prefix dhcpfod sends in CONNECT/CONNECTACK; a peer whose
 * vendor class starts with it understands batching and range moves. */
#define FO_VENDOR_PREFIX "dhcpfod-"

/* Message types, draft-12 §6.1. */
enum fo_msg_type {
	FO_POOLREQ = 1, FO_POOLRESP = 2, FO_BNDUPD = 3, FO_BNDACK = 4,
	FO_CONNECT = 5, FO_CONNECTACK = 6, FO_UPDREQALL = 7, FO_UPDDONE = 8,
	FO_UPDREQ = 9, FO_STATE = 10, FO_CONTACT = 11, FO_DISCONNECT = 12,
};

/* Option codes, draft-12 §12. */
enum fo_opt_code {
	FO_OPT_ADDRESSES_TRANSFERRED = 1, FO_OPT_ASSIGNED_IP = 2,
	FO_OPT_BINDING_STATUS = 3, FO_OPT_CLIENT_ID = 4, FO_OPT_CHADDR = 5,
	FO_OPT_CLTT = 6, FO_OPT_REPLY_OPTIONS = 7, FO_OPT_REQUEST_OPTIONS = 8,
	FO_OPT_DDNS = 9, FO_OPT_DELAYED_SERVICE = 10, FO_OPT_HBA = 11,
	FO_OPT_IP_FLAGS = 12, FO_OPT_LEASE_EXP = 13, FO_OPT_MAX_UNACKED = 14,
	FO_OPT_MCLT = 15, FO_OPT_MESSAGE = 16, FO_OPT_DIGEST = 17,
	FO_OPT_POT_EXP = 18, FO_OPT_RECEIVE_TIMER = 19, FO_OPT_PROTOCOL_VERSION = 20,
	FO_OPT_REJECT_REASON = 21, FO_OPT_RELATIONSHIP = 22, FO_OPT_SERVER_FLAGS = 23,
	FO_OPT_SERVER_STATE = 24, FO_OPT_STOS = 25, FO_OPT_TLS_REPLY = 26,
	FO_OPT_TLS_REQUEST = 27, FO_OPT_VENDOR_CLASS = 28, FO_OPT_VENDOR_OPTIONS = 29,
};

/* Reject reasons, draft-12 §12.21. */
enum fo_reject {
	FO_REJ_ILLEGAL_IP = 1, FO_REJ_FATAL_CONFLICT = 2, FO_REJ_MISSING_BINDING = 3,
	FO_REJ_TIME_MISMATCH = 4, FO_REJ_INVALID_MCLT = 5, FO_REJ_UNKNOWN = 6,
	FO_REJ_DUPLICATE_CONNECTION = 7, FO_REJ_INVALID_PARTNER = 8,
	FO_REJ_TLS_NOT_SUPPORTED = 9, FO_REJ_TLS_NOT_CONFIGURED = 10,
	FO_REJ_TLS_REQUIRED = 11, FO_REJ_DIGEST_NOT_SUPPORTED = 12,
	FO_REJ_DIGEST_NOT_CONFIGURED = 13, FO_REJ_VERSION_MISMATCH = 14,
	FO_REJ_OUTDATED = 15, FO_REJ_LESS_CRITICAL = 16, FO_REJ_NO_TRAFFIC = 17,
	FO_REJ_HBA_CONFLICT = 18, FO_REJ_NOT_RESERVED = 19, FO_REJ_DIGEST_FAILED = 20,
	FO_REJ_DIGEST_MISSING = 21, FO_REJ_OTHER = 254,
};

/* server-flags bit 0 (draft-12 §12.23); IP-flags bits (§12.12, two bytes as ISC). */
#define FO_SERVER_FLAG_STARTUP	0x01
#define FO_IP_FLAG_RESERVED	0x0001
#define FO_IP_FLAG_BOOTP	0x0002

/* Which optional fields of a binding are present (struct fo_binding.has). */
#define FO_B_STATUS	0x0001
#define FO_B_FLAGS	0x0002
#define FO_B_CID	0x0004
#define FO_B_CHADDR	0x0008
#define FO_B_CLTT	0x0010
#define FO_B_LEASE_EXP	0x0020
#define FO_B_POT_EXP	0x0040
#define FO_B_STOS	0x0080
#define FO_B_REJECT	0x0100
#define FO_B_MESSAGE	0x0200

/* One binding transaction of a BNDUPD, or one address of a BNDACK (draft-12
 * §7.1, §7.2); it begins at its assigned-IP-address option. */
struct fo_binding {
	uint32_t	addr;			/* host order */
	uint32_t	has;			/* FO_B_* */
	uint8_t		status;			/* enum lease_state, 1..7 */
	uint16_t	ip_flags;
	uint8_t		cid[255];
	uint8_t		cidlen;
	uint8_t		htype;			/* client-hardware-address: htype, */
	uint8_t		chaddr[16];		/* then up to 16 bytes */
	uint8_t		hlen;
	uint32_t	cltt, lease_exp, pot_exp, stos;	/* seconds since 1970 */
	uint8_t		reject;			/* enum fo_reject, BNDACK only */
	char		message[256];		/* NUL-terminated */
};

/* dhcpfod extension (peers whose vendor class starts with FO_VENDOR_PREFIX):
 * a run of free addresses changing owner, carried in vendor-specific-options
 * (29) of a BNDUPD and echoed, for what was applied, in its BNDACK. */
struct fo_range {
	uint32_t	start, end;		/* host order, inclusive */
	uint8_t		status;			/* LEASE_FREE or LEASE_BACKUP */
};

/* Which message-level options are present (struct fo_msg.has). */
#define FO_M_ADDR_TRANSFERRED	0x00001
#define FO_M_RELATIONSHIP	0x00002
#define FO_M_MAX_UNACKED	0x00004
#define FO_M_RECEIVE_TIMER	0x00008
#define FO_M_VENDOR_CLASS	0x00010
#define FO_M_PROTOCOL_VERSION	0x00020
#define FO_M_TLS_REQUEST	0x00040
#define FO_M_TLS_REPLY		0x00080
#define FO_M_MCLT		0x00100
#define FO_M_HBA		0x00200
#define FO_M_REJECT		0x00400
#define FO_M_MESSAGE		0x00800
#define FO_M_SERVER_FLAGS	0x01000
#define FO_M_SERVER_STATE	0x02000
#define FO_M_STOS		0x04000
#define FO_M_DIGEST		0x08000
#define FO_M_DELAYED_SERVICE	0x10000

/* A decoded (or to-be-encoded) message. Large: keep it off small stacks. */
struct fo_msg {
	uint8_t		type;			/* enum fo_msg_type */
	uint8_t		payload_off;		/* as received; encode always sends 12 */
	uint32_t	time;			/* sender's clock, seconds since 1970 */
	uint32_t	xid;
	uint32_t	has;			/* FO_M_* */
	uint32_t	addr_transferred;
	char		relationship[256];	/* NUL-terminated */
	uint32_t	max_unacked, receive_timer, mclt;
	char		vendor_class[256];
	uint8_t		protocol_version, tls_request, tls_reply;
	uint8_t		delayed_service;
	uint8_t		hba[FO_HBA_LEN];
	uint8_t		reject;			/* message-level: CONNECTACK, DISCONNECT */
	char		message[256];
	uint8_t		server_flags, server_state;	/* server_state: wire number */
	uint32_t	stos;
	uint8_t		digest_type;
	struct fo_binding b[FO_MSG_BINDINGS];	/* BNDUPD / BNDACK */
	size_t		nb;
	struct fo_range	r[FO_MSG_RANGES];
	size_t		nr;
};

/* Framing on a stream: with avail bytes at p, 0 if the length field is not
 * complete yet, -1 if it is outside FO_MSG_MIN..FO_MSG_MAX, else the length. */
int	fo_msg_frame_len(const uint8_t *p, size_t avail);

/* Decode one whole message (data[0..len-1], len from fo_msg_frame_len).
 * 0, or -1 with a sentence in err (err may be NULL): a protocol error
 * (draft-12 §6: a length field other than len or over FO_MSG_MAX, a payload
 * offset under 12 or past the end, a duplicate option outside a binding, a
 * fixed-size option of the wrong length, an unknown type 0..127 with
 * options, anything after the message-digest option); the caller drops the
 * connection. Unknown options, and known ones this type does not carry, are
 * skipped; a payload offset over 12 skips the extra header bytes (ISC); the
 * options of a type 128..255 are skipped unread.
 * BNDUPD/BNDACK: each assigned-IP-address opens a binding (more than
 * FO_MSG_BINDINGS is an error); options 3, 4, 5, 6, 12, 13, 18, 25 (and 16,
 * 21 in a BNDACK) belong to the open binding: before any, or twice in one,
 * is an error. client-hardware-address: htype 0 or missing, or more than 16
 * bytes after it, is an error.
 * Strings: relationship-name over 255 bytes or holding a NUL is an error
 * (it identifies the partner); message and vendor-class are cut at a NUL and
 * truncated to 255 bytes on a UTF-8 character boundary.
 * vendor-specific-options (29): sub-options coded like options (code u16,
 * length u16); sub-option 1 is a range move of exactly 9 bytes (start u32,
 * end u32, status u8; start <= end; status FREE or BACKUP), at most
 * FO_MSG_RANGES; other sub-options are skipped.
 * message-digest (17): the type byte is kept in digest_type (FO_M_DIGEST);
 * the digest is for fo_msg_verify. */
int	fo_msg_decode(const uint8_t *data, size_t len, struct fo_msg *out,
	    char *err, size_t errlen);

/* Encode m (every option flagged in has, then each binding, then the ranges)
 * into out[0..cap-1]; *len is the message length. -1 if it does not fit in
 * cap or FO_MSG_MAX, or if m holds what fo_msg_decode would refuse or read
 * differently: bindings outside BNDUPD/BNDACK, options in a type outside
 * 1..12, a message-level STOS in BNDUPD/BNDACK or reject-reason/message in
 * BNDACK, a per-binding reject-reason/message in BNDUPD, htype 0, hlen over
 * 16, a bad range. FO_M_DIGEST writes nothing: fo_msg_sign does. */
int	fo_msg_encode(const struct fo_msg *m, uint8_t *out, size_t cap, size_t *len);
/* The bytes binding b adds to a message of this type (a message is its
 * header and options, then its bindings one after the other, then its
 * ranges), so that a sender can fill a message without encoding it again per
 * binding; 0 if fo_msg_encode would refuse b. */
size_t	fo_msg_binding_len(uint8_t type, const struct fo_binding *b);

/* HMAC-SHA256 with a shared secret (FAILOVER.md §1): sign appends the
 * message-digest option last (as ISC expects it) and fixes the length field;
 * the digest covers every byte of the message before the option, with the
 * final length; -1 (message untouched) if it would not fit in cap or
 * FO_MSG_MAX. verify: 0 if the length field is len and the message ends in
 * a digest option that matches (compared in constant time), -1 otherwise
 * (missing, wrong type, mismatch). */
int	fo_msg_sign(uint8_t *msg, size_t *len, size_t cap, const char *secret);
int	fo_msg_verify(const uint8_t *msg, size_t len, const char *secret);

/* Names for logs: "BNDUPD"; "type-N" / "reason-N" when unknown (static
 * buffer: logs only). */
const char *fo_msg_type_name(int type);
const char *fo_reject_name(int reason);

/* State numbers: management (Windows FSM_STATE, enum fo_state) <-> wire
 * (draft-12 §12.24, RECOVER-WAIT as 254 like ISC). -1 if there is none
 * (NO_STATE, INIT and STARTUP are never sent: STARTUP is a flag). */
int	fo_state_to_wire(enum fo_state fo_state);
int	fo_state_from_wire(int wire);

/* Hash-bucket assignment with ISC's polarity (FAILOVER.md §1): bucket b is bit
 * (b & 7) of byte b >> 3 and a set bit means the primary serves it. split sets
 * buckets 0..n-1 (n = round(256 x percentage / 100), over 256 = 256);
 * primary_serves tests one (0 for a bucket outside 0..255). */
void	fo_hba_split(uint8_t hba[FO_HBA_LEN], unsigned n);
int	fo_hba_primary_serves(const uint8_t hba[FO_HBA_LEN], int bucket);

#endif
