/* Failover relationship model: states, modes, roles (SPEC §4.3, §5.1). */
#ifndef DHCPFOD_FO_H
#define DHCPFOD_FO_H

#include <stdint.h>

#define FO_MAX_RELATIONSHIPS	31	/* DHCP_FAILOVER_MAX_NUM_REL */
#define FO_MAX_NAME		126	/* characters */
#define FO_MAX_ADD_SCOPES	400	/* DHCP_FAILOVER_MAX_NUM_ADD_SCOPES */
#define FO_DEFAULT_MCLT		3600
#define FO_DEFAULT_PORT		647
#define FO_MAX_CLOCK_SKEW	60

/* Windows FSM_STATE numbers, used by the management API. */
enum fo_state {
	FO_NO_STATE = 0, FO_INIT, FO_STARTUP, FO_NORMAL, FO_COMMUNICATION_INT,
	FO_PARTNER_DOWN, FO_POTENTIAL_CONFLICT, FO_CONFLICT_DONE, FO_RESOLUTION_INT,
	FO_RECOVER, FO_RECOVER_WAIT, FO_RECOVER_DONE, FO_PAUSED, FO_SHUTDOWN,
	FO_NSTATES
};

enum fo_mode { FO_MODE_LOAD_BALANCE = 0, FO_MODE_HOT_STANDBY = 1 };

/* Role of a server in a relationship; also the owner of a free address
 * (FREE = the primary's, BACKUP = the secondary's). */
enum fo_role { FO_PRIMARY = 0, FO_SECONDARY = 1 };

/* Name <-> number tables. parse functions return -1 for an unknown name. */
const char *fo_state_name(int state);	/* "NORMAL"; "UNKNOWN" if out of range */
int	fo_state_parse(const char *name);	/* also accepts the number as a string */
const char *fo_mode_name(int mode);	/* "load-balance" | "hot-standby" */
int	fo_mode_parse(const char *name);
const char *fo_role_name(int role);	/* "primary" | "secondary" */
int	fo_role_parse(const char *name);

/* The secondary's share of free addresses in percent (SPEC §5.3):
 * load-balance 100 - percentage, hot-standby percentage. */
unsigned fo_secondary_share(int mode, unsigned percentage);



struct store;
struct fo_rel;

/* The one way a relationship's state changes: the move is checked, made
 * durable, then logged as "name: OLD -> NEW (why)". 0, -1 storage error,
 * -2 a move the state machine does not allow. */
int	fo_change_state(struct store *, struct fo_rel *, int new_state,
	    const char *why);
/* Whether an operator may declare the partner down from `state`
 * (draft-12 §9.2: not while in contact, i.e. not from NORMAL). */
int	fo_operator_partner_down_ok(int state);
#endif
