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

#endif
