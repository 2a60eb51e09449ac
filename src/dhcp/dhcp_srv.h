/*
 * The DHCP server logic (RFC 2131 §4.3): one handler per message type,
 * deciding from a decoded packet, the pools and the store. No sockets: the
 * caller (dhcp_sock) hands packets in and sends the replies handed out, after
 * the store has committed the writes they depend on (group commit).
 */
#ifndef DHCPFOD_DHCP_SRV_H
#define DHCPFOD_DHCP_SRV_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT	67	/* replies to relays; dhcp-port moves it */
#define DHCP_CLIENT_PORT	68	/* replies to clients; dhcp-port + 1 */
#define DHCP_REPLY_MAX		1500
#define DHCP_OFFER_HOLD		60	/* seconds an offered address waits */

struct daemon;
struct pool;
struct dhcp_pkt;

/* Where a packet came in. */
struct dhcp_in {
	int		ifindex;
	uint32_t	if_addr;	/* the interface's IPv4 address */
	uint32_t	server_id;	/* our identifier on that interface */
	uint32_t	src_addr;	/* IP source of the datagram */
	int64_t		arrived;	/* wall-clock second it arrived; 0: unknown */
};

/* A reply and where it goes (RFC 2131 §4.1). */
struct dhcp_out {
	uint8_t		buf[DHCP_REPLY_MAX];
	size_t		len;
	int		ifindex;
	uint32_t	dst;		/* host order; 0xffffffff: broadcast */
	uint16_t	port;
	int		unicast_hw;	/* dst has no ARP entry yet: use chaddr */
	uint8_t		chaddr[16];
	uint8_t		hlen;
	int		type;		/* DHCPOFFER, DHCPACK, DHCPNAK */
	int		durable;	/* a DHCPACK of a lease: leaves only after
					 * this pass's commit */
};

struct dhcp_srv;

struct dhcp_srv *dhcp_srv_new(struct daemon *, struct pool *);
void	dhcp_srv_free(struct dhcp_srv *);
/* Handle one datagram. 1: *out holds a reply; 0: nothing to send; -1: dropped
 * (counted in stats). Store writes are made in the caller's open pass. */
int	dhcp_srv_handle(struct dhcp_srv *, const struct dhcp_in *, const uint8_t *data,
	    size_t len, struct dhcp_out *out);
/* Expire every offer and lease whose time has come; returns how many. */
int	dhcp_srv_expire(struct dhcp_srv *, int64_t now);

#endif
