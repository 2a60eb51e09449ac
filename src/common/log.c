/* The one logging API: stderr always, syslog too when asked (not a TTY, systemd). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	 log_level = LOG_LVL_INFO;
static int	 log_syslog;
static int	 log_stamp;	/* time stamps (log_init): not when the journal adds them */
static const char *log_ident = "dhcpfod";

static const char *const level_names[] = { "error", "warning", "info", "debug" };

/* Whether stderr is the journal's stream (systemd sets JOURNAL_STREAM to
 * its device:inode), which stamps every line itself. */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(2, &sb) == 0 && (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino;
}

void
log_init(const char *ident, int level, int to_syslog)
{
	log_stamp = !stderr_is_journal();
	log_ident = ident;
	log_level = level;
	log_syslog = to_syslog;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

int
log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
log_level_name(int level)
{
	if (level < 0 || level > LOG_LVL_DEBUG)
		return "unknown";
	return level_names[level];
}

/* Write one line at `level` (syslog priority `prio`), with an optional errno text. */
static void
log_vwrite(int level, int prio, int err, const char *fmt, va_list ap)
{
	char msg[2048];

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != 0) {
		size_t n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	}
	if (log_stamp) {
		struct timeval tv;
		struct tm tm;
		char when[32];

		gettimeofday(&tv, NULL);
		localtime_r(&tv.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s: %s\n", when, (long)tv.tv_usec / 1000,
		    log_ident, msg);
	} else
		fprintf(stderr, "%s: %s\n", log_ident, msg);
	if (log_syslog)
		syslog(prio, "%s", msg);
}

#define LOG_BODY(lvl, prio, err) do {			\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vwrite((lvl), (prio), (err), fmt, ap);	\
	va_end(ap);					\
} while (0)

void log_warn(const char *fmt, ...)
{ int e = errno; LOG_BODY(LOG_LVL_WARNING, LOG_WARNING, e); errno = e; }
void log_warnx(const char *fmt, ...)
{ LOG_BODY(LOG_LVL_WARNING, LOG_WARNING, 0); }
void log_notice(const char *fmt, ...)
{ LOG_BODY(LOG_LVL_INFO, LOG_NOTICE, 0); }
void log_info(const char *fmt, ...)
{ LOG_BODY(LOG_LVL_INFO, LOG_INFO, 0); }
void log_debug(const char *fmt, ...)
{ LOG_BODY(LOG_LVL_DEBUG, LOG_DEBUG, 0); }

void
fatal(const char *fmt, ...)
{
	int e = errno;

	LOG_BODY(LOG_LVL_ERROR, LOG_CRIT, e);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_ERROR, LOG_CRIT, 0);
	exit(1);
}
