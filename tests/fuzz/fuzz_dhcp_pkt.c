/* libFuzzer harness: the DHCPv4 packet codec (src/dhcp/dhcp_pkt.c). Decode the
 * input as a request; if it decodes, encode an ACK to it into a 1500-byte
 * buffer. An ACK longer than the buffer or the client's limit, shorter than
 * 300 bytes, or that does not decode back is a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp_opt.h"
#include "dhcp_pkt.h"
#include "stats.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A small scope: routers, DNS, a domain name and a 300-byte option 43. */
static const struct dhcp_optlist *
scope_opts(void)
{
	static struct dhcp_optlist l;
	static int done;
	static const uint8_t routers[] = { 10, 1, 0, 1 };
	static const uint8_t dns[] = { 10, 1, 0, 53, 10, 1, 0, 54 };
	static const uint8_t domain[] = "example.com";
	uint8_t big[300];

	if (done)
		return &l;
	memset(big, 0x2b, sizeof(big));
	if (dhcp_optlist_set(&l, 3, routers, sizeof(routers)) == -1 ||
	    dhcp_optlist_set(&l, 6, dns, sizeof(dns)) == -1 ||
	    dhcp_optlist_set(&l, 15, domain, sizeof(domain) - 1) == -1 ||
	    dhcp_optlist_set(&l, 43, big, sizeof(big)) == -1)
		abort();
	done = 1;
	return &l;
}

/* The reply must be a well-formed request once its op is flipped. */
static void
check_reply(const uint8_t *out, size_t len, const struct dhcp_pkt *req)
{
	static uint8_t copy[1500];
	static struct dhcp_pkt back;
	int why;

	if (len < DHCP_MIN_LEN || len > sizeof(copy) ||
	    len > dhcp_pkt_max_msg_size(req) - DHCP_UDP_OVERHEAD)
		abort();
	memcpy(copy, out, len);
	if (copy[0] != BOOTREPLY)
		abort();
	copy[0] = BOOTREQUEST;
	if (dhcp_pkt_decode(copy, len, &back, &why) == -1 ||
	    dhcp_pkt_msgtype(&back) != DHCPACK || back.xid != req->xid)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dhcp_pkt req;
	static uint8_t out[1500];
	struct dhcp_reply rep = {
		DHCPACK, 0x0a010032, 0, 0x0a010002, 3600, 1800, 3150,
		0xffffff00, NULL, NULL
	};
	size_t len;
	int why = -1;

	if (dhcp_pkt_decode(data, size, &req, &why) == -1) {
		if (why < 0 || why >= DROP_NREASONS)
			abort();
		return 0;
	}
	rep.opts = scope_opts();
	if (dhcp_pkt_encode_reply(&req, &rep, out, sizeof(out), &len) == 0)
		check_reply(out, len, &req);
	(void)dhcp_pkt_hash_bucket(&req);
	return 0;
}
