/* libFuzzer harness: the failover message codec (src/failover/fo_msg.c) and
 * the binding decisions (src/failover/fo_bnd.c). Any input goes through
 * fo_msg_verify and fo_msg_decode. What decodes must re-encode (no longer
 * than the input), decode again to the same message, sign and verify; every
 * binding of it goes through fo_bnd_check and the lease conversions. A
 * refusal without an error sentence, or any disagreement, is a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fo.h"
#include "fo_bnd.h"
#include "fo_msg.h"
#include "lease.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SECRET	"fuzz-secret"

/* What a re-encode does not keep: the payload offset (always 12) and the
 * digest (fo_msg_sign's). */
static void
normalize(struct fo_msg *m)
{
	m->payload_off = FO_MSG_HDR;
	m->has &= ~(uint32_t)FO_M_DIGEST;
	m->digest_type = 0;
}

/* A signed copy verifies with its secret only. */
static void
check_sign(const uint8_t *msg, size_t len)
{
	static uint8_t sig[FO_MSG_MAX];
	size_t n = len;

	memcpy(sig, msg, len);
	if (fo_msg_sign(sig, &n, sizeof(sig), SECRET) == -1) {
		if (len + 37 <= FO_MSG_MAX)
			abort();
		return;
	}
	if (n != len + 37 || fo_msg_verify(sig, n, SECRET) != 0 ||
	    fo_msg_verify(sig, n, "other") != -1)
		abort();
}

/* Each binding: a known verdict; a lease made from it gives it back. */
static void
check_bindings(const struct fo_msg *m)
{
	static const int ok[] = { 0, 2, 3, 6, 15, 16 };
	struct fo_binding back;
	struct lease l;
	size_t j;
	int r;

	for (size_t i = 0; i < m->nb; i++) {
		memset(&l, 0, sizeof(l));
		l.state = LEASE_ACTIVE;
		l.ends = 1000;
		r = fo_bnd_check(&l, &m->b[i], FO_PRIMARY, 500, NULL);
		for (j = 0; j < sizeof(ok) / sizeof(ok[0]) && ok[j] != r; j++)
			;
		if (j == sizeof(ok) / sizeof(ok[0]))
			abort();
		if (r == 3 || r == 6)
			continue;
		fo_bnd_to_lease(&m->b[i], &l);
		fo_bnd_from_lease(&l, &back);
		if (back.addr != m->b[i].addr || back.status != m->b[i].status)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fo_msg m, back;
	static uint8_t out[FO_MSG_MAX];
	char err[256];
	size_t len;

	(void)fo_msg_verify(data, size, SECRET);
	if (fo_msg_decode(data, size, &m, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (fo_msg_frame_len(data, size) != (int)size)
		abort();
	(void)fo_msg_type_name(m.type);
	(void)fo_reject_name(m.reject);
	(void)fo_state_from_wire(m.server_state);
	if (fo_msg_encode(&m, out, sizeof(out), &len) == -1 || len > size)
		abort();
	if (fo_msg_decode(out, len, &back, err, sizeof(err)) == -1)
		abort();
	normalize(&m);
	if (memcmp(&m, &back, sizeof(m)) != 0)
		abort();
	check_sign(out, len);
	check_bindings(&m);
	return 0;
}
