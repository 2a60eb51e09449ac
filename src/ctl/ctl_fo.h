/* What the failover.* handlers (ctl_fo*.c) share among themselves. */
#ifndef CTL_FO_H
#define CTL_FO_H

#include <jansson.h>

struct ctl_req;
struct fo_rel;

/* Look a relationship up: 0, or -1 after answering 20115 / 20013. */
int	ctl_rel_lookup(struct ctl_req *, const char *, struct fo_rel *);
/* The relationship of a method whose only parameter is its name: 0, or -1
 * after answering 87, 20115 or 20013. */
int	ctl_rel_named(struct ctl_req *, json_t *, struct fo_rel *);
/* Answer with the relationship as failover.get shows it. */
void	ctl_rel_reply(struct ctl_req *, const char *);
/* 0 when the relationship is NORMAL, or -1 after answering 20120. */
int	ctl_rel_check_normal(struct ctl_req *, const struct fo_rel *);

/* Every check of failover.create on this server, nothing stored: 0 with
 * rel filled (fo_rel_fini it) and *name in p, or -1 answered. */
int	ctl_fo_create_check(struct ctl_req *, json_t *p, struct fo_rel *rel,
	    const char **name);
/* Every check of failover.add_scopes (adding) or remove_scopes, nothing
 * stored: 0 with rel filled, or -1 answered. */
int	ctl_fo_scopes_check(struct ctl_req *, json_t *p, int adding,
	    struct fo_rel *rel);

/* A change made on both servers: the failover.* method with
 * "partner_management" (ctl_fo_pair.c, RPC.md §6.16). Answers later. */
enum pair_kind { PAIR_CREATE, PAIR_DELETE, PAIR_ADD_SCOPES, PAIR_REMOVE_SCOPES };
void	ctl_fo_pair(struct ctl_req *, json_t *p, enum pair_kind);

#endif
