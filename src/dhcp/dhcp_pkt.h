/*
 * The DHCPv4 packet codec (RFC 2131 §2, §4.1; RFC 2132; RFC 3396; RFC 3046):
 * requests decoded into struct dhcp_pkt, replies encoded from struct
 * dhcp_reply, and the RFC 3074 load-balancing hash. Pure: no I/O, no daemon
 * state, no allocation.
 */
#ifndef DHCPFOD_DHCP_PKT_H
#define DHCPFOD_DHCP_PKT_H

#include <stddef.h>
#include <stdint.h>

struct dhcp_optlist;

#define BOOTREQUEST		1
#define BOOTREPLY		2
#define DHCP_HTYPE_ETHER	1	/* hardware type Ethernet (RFC 1700) */
#define DHCP_HLEN_ETHER		6
#define DHCP_FIXED_LEN		236	/* op .. file, RFC 2131 §2 */
#define DHCP_COOKIE		0x63825363	/* 99.130.83.99, RFC 2131 §3 */
#define DHCP_OPTIONS_OFF	240	/* options: after the cookie */
#define DHCP_MIN_LEN		300	/* BOOTP minimum (RFC 951) */
#define DHCP_MIN_MSG_SIZE	576	/* least option 57, RFC 2132 §9.10 */
#define DHCP_UDP_OVERHEAD	28	/* IPv4 + UDP headers, in option 57 */
#define DHCP_FLAG_BROADCAST	0x8000	/* RFC 2131 §2 'flags' */
#define DHCP_PKT_OPTBUF		2048	/* option value bytes per packet */

/* Option 53 values (RFC 2132 §9.6). */
enum dhcp_msgtype {
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK,
	DHCPNAK, DHCPRELEASE, DHCPINFORM
};

/* Option codes the codec and the engine use (RFC 2132 unless noted). */
enum dhcp_optcode {
	DHO_PAD = 0,
	DHO_SUBNET_MASK = 1,
	DHO_ROUTERS = 3,
	DHO_DNS_SERVERS = 6,
	DHO_HOST_NAME = 12,
	DHO_DOMAIN_NAME = 15,
	DHO_REQUESTED_ADDR = 50,
	DHO_LEASE_TIME = 51,
	DHO_OVERLOAD = 52,
	DHO_MSG_TYPE = 53,
	DHO_SERVER_ID = 54,
	DHO_PARAM_REQ = 55,
	DHO_MESSAGE = 56,
	DHO_MAX_MSG_SIZE = 57,
	DHO_T1 = 58,
	DHO_T2 = 59,
	DHO_CLIENT_ID = 61,
	DHO_RELAY_INFO = 82,		/* RFC 3046 */
	DHO_SUBNET_SELECT = 118,	/* RFC 3011 */
	DHO_END = 255
};

/*
 * A decoded request: the fixed fields of RFC 2131 §2 (addresses and integers
 * in host order) and, for each option code, the concatenation of all its
 * instances in the options, file and sname fields, in that order (RFC 3396,
 * RFC 2131 §4.1). sname and file keep their raw bytes even when option
 * overload (52) made them carry options. Read options through the functions
 * below; the opt* members are the codec's.
 */
struct dhcp_pkt {
	uint8_t		 op, htype, hlen, hops;
	uint32_t	 xid;
	uint16_t	 secs, flags;
	uint32_t	 ciaddr, yiaddr, siaddr, giaddr;
	uint8_t		 chaddr[16];
	uint8_t		 sname[64];
	uint8_t		 file[128];
	uint8_t		 overload;	/* 52: 1 file, 2 sname, 3 both; 0 */
	uint8_t		 msgtype;	/* option 53; 0 when absent */
	uint8_t		 bootp;		/* 1: no option 53, a BOOTP request */
	uint8_t		 optset[32];	/* bit per code: present */
	uint16_t	 optoff[256];
	uint16_t	 optlen[256];
	uint8_t		 optbuf[DHCP_PKT_OPTBUF];
};

/*
 * Decodes a request (RFC 2131 §2, §4.1; RFC 3396). 0, or -1 with the reason
 * (enum stats_drop) in *drop_reason if it is not NULL:
 *   DROP_TRUNCATED   shorter than the fixed part and the cookie
 *   DROP_BAD_OP      op is not BOOTREQUEST
 *   DROP_BAD_HTYPE   not Ethernet with a 6-byte address
 *   DROP_BAD_OPTION  wrong cookie, an option running past its field, an
 *                    overload repeated, out of range or inside file/sname,
 *                    a known option of the wrong length, or more than
 *                    DHCP_PKT_OPTBUF bytes of option values
 * A missing END is tolerated (the field's end ends it). A request without
 * option 53 decodes with bootp set. On failure *out is unspecified.
 */
int	dhcp_pkt_decode(const uint8_t *data, size_t len, struct dhcp_pkt *out,
	    int *drop_reason);

/* The value of option code, *len bytes (possibly 0); NULL if absent (or code
 * is PAD or END). Points into the packet. */
const uint8_t *dhcp_pkt_opt(const struct dhcp_pkt *, uint8_t code,
	    size_t *len);

/* Option 53: DHCPDISCOVER..DHCPINFORM or another value; 0 for BOOTP. */
int	dhcp_pkt_msgtype(const struct dhcp_pkt *);
/* Options 50, 54, 51, 118 (lengths checked by the decoder): 0, or -1 and
 * *v = 0 when absent. */
int	dhcp_pkt_requested_addr(const struct dhcp_pkt *, uint32_t *v);
int	dhcp_pkt_server_id(const struct dhcp_pkt *, uint32_t *v);
int	dhcp_pkt_lease_time(const struct dhcp_pkt *, uint32_t *v);
int	dhcp_pkt_subnet_select(const struct dhcp_pkt *, uint32_t *v);
/* Raw values of options 61 (type byte first, at least 2 bytes), 55, 12 and
 * 82 (to echo verbatim); NULL when absent. */
const uint8_t *dhcp_pkt_client_id(const struct dhcp_pkt *, size_t *len);
const uint8_t *dhcp_pkt_param_req(const struct dhcp_pkt *, size_t *len);
const uint8_t *dhcp_pkt_host_name(const struct dhcp_pkt *, size_t *len);
const uint8_t *dhcp_pkt_relay_info(const struct dhcp_pkt *, size_t *len);
/* Option 57, the largest IP datagram the client accepts: at least 576
 * (smaller values are raised to it), 576 when absent (RFC 2132 §9.10). */
unsigned int dhcp_pkt_max_msg_size(const struct dhcp_pkt *);

/*
 * What the engine decided to answer (RFC 2131 §4.3, Table 3). Addresses and
 * times in host order; a zero time or mask means the option is omitted (an
 * ACK to DHCPINFORM carries no lease times). opts is the scope's options
 * already merged over the server's (may be NULL); message is option 56, sent
 * with a DHCPNAK only (NULL or "": none).
 */
struct dhcp_reply {
	int				 type;	/* OFFER, ACK or NAK */
	uint32_t			 yiaddr;
	uint32_t			 siaddr;
	uint32_t			 server_id;
	uint32_t			 lease_time;
	uint32_t			 t1, t2;
	uint32_t			 subnet_mask;
	const struct dhcp_optlist	*opts;
	const char			*message;
};

/*
 * Encodes the reply to req into out[0..outlen-1] and its length into *len.
 * Fixed fields per RFC 2131 Table 3 (ciaddr copied into a DHCPACK; a DHCPNAK
 * through a relay gets the broadcast flag, §4.3.2). Options in this order:
 * 53, 54, 51, 58, 59, 1, 61 and 118 echoed (RFC 6842, RFC 3011), then the
 * options of opts the client asked for in option 55, in its order, then
 * routers, DNS servers and domain name if present and not asked for, then
 * option 82 echoed last (RFC 3046 §2.2). A DHCPNAK carries only 53, 54, 61,
 * 56 and 82. Options longer than 255 bytes are split (RFC 3396); the reply
 * never exceeds the client's option 57 less 28 nor outlen, and spills into
 * file and sname (option 52) only when the options field is full; requested
 * options that still do not fit are left out from the end of the client's
 * list. Replies are padded to DHCP_MIN_LEN. 0 / -1 (outlen below
 * DHCP_MIN_LEN, a type other than OFFER/ACK/NAK, or the required options do
 * not fit).
 */
int	dhcp_pkt_encode_reply(const struct dhcp_pkt *req,
	    const struct dhcp_reply *rep, uint8_t *out, size_t outlen,
	    size_t *len);

/* RFC 3074 §6 hash bucket (0..255) of a key: a client identifier, or else a
 * hardware address. */
int	dhcp_hash_bucket(const uint8_t *key, size_t len);
/* The bucket of a request: by option 61 if present, else chaddr[0..hlen-1]
 * (RFC 3074 §6). */
int	dhcp_pkt_hash_bucket(const struct dhcp_pkt *);

#endif
