/* The one logging API (tmux/OpenBSD style): stderr, and syslog when not a TTY. */
#ifndef DHCPFOD_LOG_H
#define DHCPFOD_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Start logging as `ident`; to_syslog also sends every line to syslog. */
void	log_init(const char *ident, int level, int to_syslog);
void	log_setlevel(int level);
int	log_getlevel(void);
/* Parse "error|warning|info|debug"; -1 if unknown. */
int	log_level_parse(const char *name);
const char *log_level_name(int level);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
