/* A JSON-RPC client of a partner's management listener (REMOTE.md §8-9):
 * one mutual-TLS connection made with [management] client-certificate, the
 * partner's certificate checked against [management] ca and its address;
 * calls sent one at a time, each answered through its callback. The
 * daemon-side pairing (ctl_fo_pair.c) drives it. */
#ifndef DHCPFOD_CTL_LINK_H
#define DHCPFOD_CTL_LINK_H

#include <stdint.h>

#include <jansson.h>

struct ctl_link;

/* The answer of one call: result (borrowed) with code 0; else NULL with the
 * partner's error code and detail, or code -1 when the link failed (detail
 * says why: cannot connect, TLS, no answer within the timeout, closed). */
typedef void (*ctl_link_cb)(void *arg, json_t *result, int code,
	    const char *detail);

/* Connect to host (IPv4) port; NULL with err when the daemon has no client
 * certificate or the connection cannot start. */
struct ctl_link *ctl_link_new(const char *host, uint16_t port, char *err,
	    size_t errlen);
/* Send method(params) once the previous call is answered; cb is called
 * exactly once (never from within this function). -1: out of memory. */
int	ctl_link_call(struct ctl_link *, const char *method, json_t *params,
	    ctl_link_cb cb, void *arg);
/* Close; calls not yet answered are dropped without their callbacks. */
void	ctl_link_free(struct ctl_link *);

#endif
