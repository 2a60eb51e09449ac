/* Roles (REMOTE.md, Roles): which role a certificate subject has, and what
 * each role may call. Pure: no I/O; check_ctl_auth tests it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl_auth.h"

#define MAX_RDNS	32	/* components of a subject or pattern */
#define MAX_DN		1024

struct rdn {
	const char	*attr;
	const char	*value;
};

int
ctl_role_may(enum ctl_role role, enum ctl_class cls)
{
	switch (role) {
	case ROLE_ADMIN:
		return 1;
	case ROLE_USER:
		return cls == CTL_READ;
	case ROLE_NONE:
		break;
	}
	return 0;
}

const char *
ctl_role_name(enum ctl_role role)
{
	switch (role) {
	case ROLE_ADMIN:
		return "DHCP Administrators";
	case ROLE_USER:
		return "DHCP Users";
	case ROLE_NONE:
		break;
	}
	return "no role";
}

/* Trim blanks at both ends of s, in place. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Split buf (changed in place) at commas not escaped by '\' into ATTR=VALUE
 * pairs; the number of pairs, or -1 if one has no '=' or there are too many. */
static int
dn_split(char *buf, struct rdn *out)
{
	char *p = buf, *start = buf, *eq;
	int n = 0;

	for (;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p != ',' && *p != '\0')
			continue;
		int end = *p == '\0';

		*p = '\0';
		if (n == MAX_RDNS || (eq = strchr(start, '=')) == NULL)
			return -1;
		*eq = '\0';
		out[n].attr = trim(start);
		out[n++].value = trim(eq + 1);
		if (end)
			return n;
		start = p + 1;
	}
}

/* Whether pair occurs among the n pairs of dn. */
static int
dn_has(const struct rdn *dn, int n, const struct rdn *pair)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(dn[i].attr, pair->attr) == 0 &&
		    strcmp(dn[i].value, pair->value) == 0)
			return 1;
	return 0;
}

int
ctl_subject_match(const char *pattern, const char *subject)
{
	char pbuf[MAX_DN], sbuf[MAX_DN];
	struct rdn pr[MAX_RDNS], sr[MAX_RDNS];
	int np, ns;

	if (strlen(pattern) >= sizeof(pbuf) || strlen(subject) >= sizeof(sbuf))
		return 0;
	strcpy(pbuf, pattern);
	if (strcmp(trim(pbuf), "*") == 0)
		return 1;
	strcpy(pbuf, pattern);
	strcpy(sbuf, subject);
	if ((np = dn_split(pbuf, pr)) <= 0 || (ns = dn_split(sbuf, sr)) <= 0)
		return 0;
	for (int i = 0; i < np; i++)
		if (!dn_has(sr, ns, &pr[i]))
			return 0;
	return 1;
}

/* Whether any '|'-separated pattern of list matches. */
static int
list_match(const char *list, const char *subject)
{
	char *copy, *tok, *save = NULL;
	int hit = 0;

	if (list == NULL || (copy = strdup(list)) == NULL)
		return 0;
	for (tok = strtok_r(copy, "|", &save); tok != NULL && !hit;
	    tok = strtok_r(NULL, "|", &save))
		if (*trim(tok) != '\0')
			hit = ctl_subject_match(tok, subject);
	free(copy);
	return hit;
}

enum ctl_role
ctl_role_of(const char *admins, const char *users, const char *subject)
{
	if (list_match(admins, subject))
		return ROLE_ADMIN;
	if (list_match(users, subject))
		return ROLE_USER;
	return ROLE_NONE;
}
