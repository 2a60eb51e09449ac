/*
 * dhcpfoctl, the management client (dhcpfoctl(8)): what its files share.
 * dhcpfoctl.c reads the global options and finds the command, dhcpfoctl_args.c
 * turns a command's arguments into RPC params by its table entry,
 * dhcpfoctl_cmd.c / dhcpfoctl_fo.c hold the command tables (dhcpfoctl_io.c
 * the commands of several calls: export, import), dhcpfoctl_rpc.c
 * speaks JSON-RPC over the Unix socket, dhcpfoctl_print.c (with the primitives
 * of dhcpfoctl_fmt.c) is the one human printer and the one JSON printer.
 */
#ifndef DHCPFOD_DHCPFOCTL_H
#define DHCPFOD_DHCPFOCTL_H

#include <stddef.h>

#include <jansson.h>

/* Exit statuses (dhcpfoctl(8)). */
#define CLI_EXIT_OK		0
#define CLI_EXIT_SERVER		1	/* the server answered an error */
#define CLI_EXIT_USAGE		2
#define CLI_EXIT_CONNECT	3	/* no usable answer from the socket */

#define CLI_DEFAULT_SOCKET	"/run/dhcpfod/dhcpfod.sock"
#define CLI_DEFAULT_TIMEOUT	30.0	/* seconds; env DHCPFOCTL_TIMEOUT */
#define CLI_MAX_REPLY		(64u * 1024 * 1024)	/* bytes in one reply line */
#define CLI_ERRLEN		512

/* Options that may appear before or after the command. */
struct cli_opts {
	const char	*socket;	/* -s PATH; NULL: env or default */
	int		 json;		/* -j / --json */
	const char	*server;	/* --server HOST[:PORT] (dhcpfoctl_remote.c) */
	const char	*cert;		/* --cert, --key, --ca */
	const char	*key;
	const char	*ca;
	const char	*token;		/* config token or DHCPFOCTL_TOKEN */
};

/* ---- command tables (dhcpfoctl_cmd.c, dhcpfoctl_fo.c) ---- */

/* How an argument's words become params: see the setters of dhcpfoctl_args.c. */
enum arg_type {
	T_STR,		/* a string */
	T_UINT,		/* a decimal integer */
	T_ADDR,		/* a dotted quad */
	T_ADDRS,	/* dotted quads appended to an array */
	T_HWADDR,	/* aa:bb:cc:dd:ee:ff */
	T_CLIENT,	/* a dotted quad ("address") or a hardware address ("hwaddr") */
	T_SUBNET,	/* A.B.C.D[/P]: key, and "prefix" when /P is given */
	T_RANGE,	/* START END: {"start","end"} */
	T_STATE,	/* a failover state name or number */
	T_MODE,		/* load-balance | hot-standby */
	T_ROLE,		/* primary | secondary */
	T_FLAG,		/* no value: key is set to cval */
	T_OPTION,	/* NAME=VALUE into the "options" object */
	T_OPTJSON,	/* a JSON object merged into the "options" object */
	T_JSONOBJ,	/* a JSON object */
	T_NTYPES
};

#define ARG_REQUIRED	0x01
#define ARG_MULTI	0x02	/* option may repeat; positional takes the rest */

/* One positional argument or one --option of a command. */
struct argdef {
	const char	*name;		/* "NAME" (positional) or "mclt" (--mclt) */
	const char	*key;		/* params key */
	enum arg_type	 type;
	int		 flags;
	const char	*meta;		/* value placeholder in help: "S", "ADDR" */
	const char	*help;
	const char	*cval;		/* T_FLAG: the value set */
};

struct cmd;

/* A whole-command check after parsing: 0, or -1 with a sentence in err. */
typedef int	cmd_check(const struct cmd *, json_t *params, char *err,
		    size_t errlen);
/* An error answer the command handles itself: returns the exit status and
 * may set *result to print instead, or returns -1 for the default. */
typedef int	cmd_onerr(const struct cmd *, json_t *params, int code,
		    json_t **result);

/* A command of several calls (export, import): it makes them itself and
 * returns the exit status. */
typedef int	cmd_run(const struct cmd *, json_t *params, const char *socket,
		    double timeout);

#define CMD_RAW_JSON	0x01	/* always print the result as JSON (call) */

struct cmd {
	const char		*group;		/* "scope", ...; NULL: top level */
	const char		*name;
	const char		*method;	/* NULL: params "method" (call) */
	const char		*summary;
	const struct argdef	*pos;		/* each ends with a NULL name */
	const struct argdef	*opts;
	cmd_check		*check;
	cmd_onerr		*onerr;
	int			 flags;
	cmd_run			*run;		/* NULL: one call of method; with a
						 * method too: only when a partner
						 * is given (--partner[-socket]) */
};

/* failover create / delete / add-scope / remove-scope with --partner
 * (dhcpfoctl_fleet.c). */
cmd_run		run_fo_create_pair, run_fo_delete_pair, run_fo_add_scopes_pair,
		run_fo_remove_scopes_pair;

/* Every command, the top-level and group ones, NULL-name terminated. */
extern const struct cmd	cli_cmds[];		/* dhcpfoctl_cmd.c */
extern const struct cmd	cli_fo_cmds[];		/* dhcpfoctl_fo.c */
extern const struct cmd	cli_io_cmds[];		/* dhcpfoctl_io.c */
extern const struct cmd	cli_token_cmds[];	/* dhcpfoctl_remote.c */
extern const struct cmd	cli_fleet_cmds[];	/* dhcpfoctl_fleet.c */

/* Checks commands share: something besides the first positional to set. */
cmd_check	cli_need_change;

/* ---- arguments (dhcpfoctl_args.c) ---- */

/* Parse a command's arguments into params (which the caller owns). 0 done,
 * 1 help asked, -1 usage error described in err. */
int	args_parse(const struct cmd *, int argc, char **argv, struct cli_opts *,
	    json_t *params, char *err, size_t errlen);
/* Print a command's usage and its arguments. */
void	args_usage(const struct cmd *, const char *prog);

/* ---- the RPC (dhcpfoctl_rpc.c) ---- */

struct rpc_reply {
	json_t		*root;		/* owns what follows */
	json_t		*result;	/* NULL when the server answered an error */
	int		 code;
	const char	*symbol;	/* "ERROR_INVALID_PARAMETER" */
	const char	*detail;	/* may be NULL */
};

/* One request, one reply within timeout seconds (0: no limit). 0, or -1
 * after saying on stderr why there is no usable answer. */
int	rpc_call(const char *path, double timeout, const char *method,
	    json_t *params, struct rpc_reply *);
void	rpc_reply_fini(struct rpc_reply *);

/* ---- printing (dhcpfoctl_print.c, dhcpfoctl_fmt.c) ---- */

void	print_init(int color);
/* The result unchanged, pretty with a 2-space indent. */
void	print_json(json_t *result);
/* The result for humans: the method's printer or the generic one. */
void	print_human(const char *method, json_t *params, json_t *result);

/* Primitives of the human printer (dhcpfoctl_fmt.c). */
enum color { C_NONE, C_GREEN, C_YELLOW, C_RED, C_BOLD };

struct table;

void	 fmt_set_color(int on);
/* A value as shown for key; *color says how (may be NULL). Malloc'd. */
char	*fmt_value(const char *key, json_t *v, enum color *color);
char	*fmt_time(long long t);
char	*fmt_duration(long long s);
char	*fmt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The colour of a failover state name (C_NONE if it is not one). */
enum color fmt_state_color(const char *state);
/* Print s in colour c (when colour is on). */
void	 fmt_put(const char *s, enum color c);
/* Aligned "key: value" lines of an object, nested ones indented. */
void	 fmt_kv(json_t *obj, int indent);
void	 fmt_kv_line(const char *key, const char *value, enum color c,
	    int width, int indent);

struct table *table_new(const char *const *headers, size_t ncols);
/* Adds one cell (copied) to the current row; rows fill left to right. */
void	 table_cell(struct table *, const char *text, enum color);
/* Adds a cell formatted by fmt_value(key, v) and frees it. */
void	 table_value(struct table *, const char *key, json_t *v);
void	 table_print(struct table *);
void	 table_free(struct table *);

/* Allocation that cannot fail (the client exits on out of memory). */
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);

/* "dhcpfoctl: ..." and a newline on stderr; returns -1 (dhcpfoctl_rpc.c). */
int	 dfctl_say(const char *, ...) __attribute__((format(printf, 1, 2)));
/* CLOCK_MONOTONIC in seconds, for the answer deadlines. */
double	 dfctl_now(void);

#endif
