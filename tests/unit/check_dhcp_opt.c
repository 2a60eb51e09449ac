/* Unit tests: option definitions, the typed codec (RFC 2132, RFC 3397), the option
 * list, and the management API's JSON form of options (docs/RPC.md §2.5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "ctl_opt.h"
#include "dhcp_opt.h"
#include "util.h"

#define ERRLEN	512

/* Parses test JSON (NULs allowed, to test their refusal) or fails the test. */
static json_t *
jparse(const char *text)
{
	json_error_t e;
	json_t *j;

	j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, e.text);
	return j;
}

/* from_json of JSON text; returns its result. */
static int
parse_opts(const char *text, struct dhcp_optlist *l, char *err)
{
	json_t *j = jparse(text);
	int rc;

	err[0] = '\0';
	rc = ctl_opt_from_json(j, l, err, ERRLEN);
	json_decref(j);
	return rc;
}

/* Hex of the option's bytes into buf. */
static const char *
opt_hex(const struct dhcp_opt *o, char *buf)
{
	return hex_str(o->data, o->len, buf);
}

static void
assert_lists_equal(const struct dhcp_optlist *a, const struct dhcp_optlist *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		ck_assert_uint_eq(a->v[i].code, b->v[i].code);
		ck_assert_uint_eq(a->v[i].len, b->v[i].len);
		if (a->v[i].len > 0)
			ck_assert_mem_eq(a->v[i].data, b->v[i].data, a->v[i].len);
	}
}

/* from_json(to_json(l)) gives back the same bytes. */
static void
assert_roundtrip(const struct dhcp_optlist *l)
{
	struct dhcp_optlist back = { 0, NULL };
	char err[ERRLEN];
	json_t *j;

	ck_assert_ptr_nonnull(j = ctl_opt_to_json(l));
	ck_assert_msg(ctl_opt_from_json(j, &back, err, sizeof(err)) == 0,
	    "round trip refused: %s", err);
	assert_lists_equal(l, &back);
	json_decref(j);
	dhcp_optlist_free(&back);
}

/* Each value type to the exact wire bytes (RFC 2132 §2-§8, RFC 3397 §2). */
static const struct enc_case {
	const char	*json;
	uint8_t		 code;
	const char	*hex;
} enc_cases[] = {
	{ "{\"routers\":[\"10.1.0.1\",\"10.1.0.2\"]}", 3, "0a0100010a010002" },
	{ "{\"routers\":\"10.1.0.1\"}", 3, "0a010001" },
	{ "{\"domain_name_servers\":[\"192.0.2.53\"]}", 6, "c0000235" },
	{ "{\"ntp_servers\":[\"192.0.2.1\",\"192.0.2.2\",\"192.0.2.3\"]}", 42,
	    "c0000201c0000202c0000203" },
	{ "{\"log_servers\":[\"0.0.0.0\",\"255.255.255.255\"]}", 7,
	    "00000000ffffffff" },
	{ "{\"netbios_name_servers\":\"10.9.8.7\"}", 44, "0a090807" },
	{ "{\"broadcast_address\":\"10.1.255.255\"}", 28, "0a01ffff" },
	{ "{\"subnet_mask\":\"255.255.255.0\"}", 1, "ffffff00" },
	{ "{\"domain_name\":\"example.com\"}", 15, "6578616d706c652e636f6d" },
	{ "{\"tftp_server_name\":\"tftp\"}", 66, "74667470" },
	{ "{\"bootfile_name\":\"pxelinux.0\"}", 67, "7078656c696e75782e30" },
	{ "{\"host_name\":\"caf\\u00e9\"}", 12, "636166c3a9" },
	{ "{\"default_ip_ttl\":64}", 23, "40" },
	{ "{\"default_ip_ttl\":255}", 23, "ff" },
	{ "{\"interface_mtu\":1500}", 26, "05dc" },
	{ "{\"interface_mtu\":68}", 26, "0044" },
	{ "{\"interface_mtu\":65535}", 26, "ffff" },
	{ "{\"time_offset\":-18000}", 2, "ffffb9b0" },
	{ "{\"time_offset\":2147483647}", 2, "7fffffff" },
	{ "{\"time_offset\":-2147483648}", 2, "80000000" },
	{ "{\"time_offset\":0}", 2, "00000000" },
	{ "{\"arp_cache_timeout\":4294967295}", 35, "ffffffff" },
	{ "{\"arp_cache_timeout\":60}", 35, "0000003c" },
	{ "{\"ip_forwarding\":true}", 19, "01" },
	{ "{\"ip_forwarding\":false}", 19, "00" },
	{ "{\"domain_search\":[\"eng.example.com\",\"example.com\"]}", 119,
	    "03656e67076578616d706c6503636f6d00076578616d706c6503636f6d00" },
	{ "{\"domain_search\":\"example.com.\"}", 119, "076578616d706c6503636f6d00" },
	{ "{\"domain_search\":[\"a\"]}", 119, "016100" },
	{ "{\"252\":\"0a0b0c\"}", 252, "0a0b0c" },
	{ "{\"252\":{\"code\":252,\"hex\":\"0A0B0C\"}}", 252, "0a0b0c" },
	{ "{\"253\":{\"hex\":\"ff\"}}", 253, "ff" },
	{ "{\"43\":\"\"}", 43, "" },
	{ "{\"3\":\"0a000001\"}", 3, "0a000001" },
	{ "{\"0254\":\"01\"}", 254, "01" },
	{ "[{\"name\":\"routers\",\"value\":\"10.1.0.1\"}]", 3, "0a010001" },
	{ "[{\"name\":\"interface_mtu\",\"value\":9000}]", 26, "2328" },
	{ "[{\"code\":252,\"hex\":\"0a0b0c\"}]", 252, "0a0b0c" },
	{ "[{\"code\":43,\"hex\":\"010203\"}]", 43, "010203" },
};

START_TEST(test_encode)
{
	const struct enc_case *c = &enc_cases[_i];
	struct dhcp_optlist l = { 0, NULL };
	char err[ERRLEN], hex[2 * DHCP_OPT_MAXLEN + 1];

	ck_assert_msg(parse_opts(c->json, &l, err) == 0, "%s: %s", c->json, err);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].code, c->code);
	ck_assert_str_eq(opt_hex(&l.v[0], hex), c->hex);
	assert_roundtrip(&l);
	dhcp_optlist_free(&l);
}
END_TEST

/* The pure codec: decode(bytes) then encode gives the same bytes. */
START_TEST(test_decode_encode)
{
	const struct enc_case *c = &enc_cases[_i];
	const struct dhcp_optdef *d = dhcp_optdef_by_code(c->code);
	struct dhcp_optdef raw = { c->code, NULL, DHCP_OPT_HEX, 0, 0 };
	uint8_t in[DHCP_OPT_MAXLEN], out[DHCP_OPT_MAXLEN];
	struct dhcp_optval v;
	char err[ERRLEN];
	size_t len;
	int n;

	n = hex_parse(c->hex, in, sizeof(in));
	ck_assert_int_ge(n, 0);
	if (d == NULL)
		d = &raw;
	ck_assert_int_eq(dhcp_opt_decode(d, in, (size_t)n, &v), 0);
	ck_assert_int_eq(dhcp_opt_encode(d, &v, out, sizeof(out), &len, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(len, (size_t)n);
	if (n > 0)
		ck_assert_mem_eq(in, out, len);
	dhcp_optval_free(&v);
	ck_assert_ptr_null(v.text);
}
END_TEST

/* Every refusal, with the sentence the operator sees. */
static const struct err_case {
	const char	*json;
	const char	*err;
} err_cases[] = {
	{ "{\"routers\":\"10.1.0.x\"}",
	    "option 'routers': '10.1.0.x' is not an IPv4 address" },
	{ "{\"routers\":[\"10.1.0.1\",\"10.1.0.256\"]}",
	    "option 'routers': '10.1.0.256' is not an IPv4 address" },
	{ "{\"routers\":[]}", "option 'routers': the address list is empty" },
	{ "{\"routers\":[\"10.1.0.1\",7]}",
	    "option 'routers': element 1: expected a string, got an integer" },
	{ "{\"routers\":{}}", "option 'routers': expected an array of strings "
	    "or one string, got an object" },
	{ "{\"broadcast_address\":[\"10.1.255.255\"]}",
	    "option 'broadcast_address': expected a string, got an array" },
	{ "{\"broadcast_address\":\"\"}",
	    "option 'broadcast_address': '' is not an IPv4 address" },
	{ "{\"interface_mtu\":67}",
	    "option 'interface_mtu': 67 is out of range 68..65535" },
	{ "{\"interface_mtu\":65536}",
	    "option 'interface_mtu': 65536 is out of range 68..65535" },
	{ "{\"interface_mtu\":\"1500\"}",
	    "option 'interface_mtu': expected an integer, got a string" },
	{ "{\"interface_mtu\":1500.0}",
	    "option 'interface_mtu': expected an integer, got a real number" },
	{ "{\"interface_mtu\":null}",
	    "option 'interface_mtu': expected an integer, got null" },
	{ "{\"default_ip_ttl\":0}", "option 'default_ip_ttl': 0 is out of range "
	    "1..255" },
	{ "{\"time_offset\":2147483648}", "option 'time_offset': 2147483648 is "
	    "out of range -2147483648..2147483647" },
	{ "{\"arp_cache_timeout\":-1}",
	    "option 'arp_cache_timeout': -1 is out of range 0..4294967295" },
	{ "{\"arp_cache_timeout\":4294967296}", "option 'arp_cache_timeout': "
	    "4294967296 is out of range 0..4294967295" },
	{ "{\"ip_forwarding\":1}",
	    "option 'ip_forwarding': expected true or false, got an integer" },
	{ "{\"ip_forwarding\":\"true\"}",
	    "option 'ip_forwarding': expected true or false, got a string" },
	{ "{\"domain_name\":\"\"}", "option 'domain_name': the string is empty" },
	{ "{\"domain_name\":[\"example.com\"]}",
	    "option 'domain_name': expected a string, got an array" },
	{ "{\"domain_name\":\"a\\u0000b\"}",
	    "option 'domain_name': the string contains a NUL character" },
	{ "{\"domain_search\":[]}", "option 'domain_search': the domain list is "
	    "empty" },
	{ "{\"domain_search\":[\"a..b\"]}", "option 'domain_search': 'a..b': "
	    "each label must be 1..63 characters" },
	{ "{\"domain_search\":\".\"}",
	    "option 'domain_search': '.' is not a domain name" },
	{ "{\"domain_search\":\"\"}",
	    "option 'domain_search': '' is not a domain name" },
	{ "{\"domain_search\":\"a b.com\"}", "option 'domain_search': 'a b.com' "
	    "contains a space or a character that is not printable ASCII" },
	{ "{\"domain_search\":[\"example.com\",false]}",
	    "option 'domain_search': element 1: expected a string, got false" },
	{ "{\"domain_search\":3}", "option 'domain_search': expected an array of "
	    "strings or one string, got an integer" },
	{ "{\"no_such_option\":1}", "option 'no_such_option': unknown option "
	    "name; give other options by code, as {\"code\":N,\"hex\":\"...\"}" },
	{ "{\"Routers\":[\"10.0.0.1\"]}", "option 'Routers': unknown option name" },
	{ "{\"3x\":\"00\"}", "option '3x': unknown option name" },
	{ "{\"dhcp_lease_time\":3600}",
	    "option 'dhcp_lease_time': unknown option name" },
	{ "{\"0\":\"00\"}", "option 0: code 0 is the pad option and cannot be set" },
	{ "{\"255\":\"\"}", "option 255: code 255 is the end option and cannot be "
	    "set" },
	{ "{\"256\":\"00\"}", "option 256: not a valid option code (codes are "
	    "1..254)" },
	{ "{\"99999999999999999999\":\"00\"}", "not a valid option code" },
	{ "{\"51\":\"00000e10\"}", "option 51: the IP address lease time is "
	    "managed by the server and cannot be set (set the scope's "
	    "lease_time)" },
	{ "{\"252\":\"0a0\"}",
	    "option 252: '0a0' is not an even number of hex digits" },
	{ "{\"252\":\"zz\"}", "option 252: 'zz' is not an even number of hex "
	    "digits" },
	{ "{\"252\":5}", "option 252: expected a hex string or "
	    "{\"code\":252,\"hex\":\"...\"}, got an integer" },
	{ "{\"252\":{\"code\":251,\"hex\":\"00\"}}",
	    "option 252: the \"code\" inside does not match the key" },
	{ "{\"252\":{\"code\":\"252\",\"hex\":\"00\"}}",
	    "option 252: the \"code\" inside does not match the key" },
	{ "{\"252\":{\"code\":252}}", "option 252: no \"hex\" given" },
	{ "{\"252\":{\"code\":252,\"hex\":12}}",
	    "option 252: expected a string, got an integer" },
	{ "{\"routers\":\"10.0.0.1\",\"3\":\"0a000002\"}",
	    "option 3: code 3 is given more than once" },
	{ "[{\"code\":252,\"hex\":\"00\"},{\"code\":252,\"hex\":\"01\"}]",
	    "option 252: code 252 is given more than once" },
	{ "[5]", "options[0] is an integer, not an object" },
	{ "[{\"code\":252,\"hex\":\"00\"},\"routers\"]",
	    "options[1] is a string, not an object" },
	{ "[{\"name\":\"routers\"}]", "option 'routers': no \"value\" given" },
	{ "[{\"name\":\"routers\",\"code\":3,\"value\":\"10.0.0.1\"}]",
	    "options[0]: give \"name\" or \"code\", not both" },
	{ "[{}]", "options[0] has neither \"name\" nor \"code\"" },
	{ "[{\"code\":\"252\",\"hex\":\"00\"}]",
	    "options[0]: \"code\" is a string, not an integer" },
	{ "[{\"code\":0,\"hex\":\"\"}]",
	    "option 0: code 0 is the pad option and cannot be set" },
	{ "[{\"code\":-1,\"hex\":\"\"}]", "option -1: not a valid option code" },
	{ "[{\"code\":82,\"hex\":\"\"}]", "option 82: the relay agent information "
	    "is managed by the server and cannot be set" },
	{ "[{\"code\":252}]", "option 252: no \"hex\" given" },
	{ "[{\"name\":5,\"value\":1}]",
	    "options[0]: \"name\" is an integer, not a string" },
	{ "[{\"name\":\"bogus\",\"value\":1}]",
	    "option 'bogus': unknown option name" },
	{ "[{\"name\":\"interface_mtu\",\"value\":10}]",
	    "option 'interface_mtu': 10 is out of range 68..65535" },
	{ "\"routers\"", "options must be an object or an array, got a string" },
	{ "5", "options must be an object or an array, got an integer" },
	{ "null", "options must be an object or an array, got null" },
	{ "true", "options must be an object or an array, got true" },
};

/* A refused input leaves the caller's list as it was. */
static void
assert_refused(json_t *j, const char *want)
{
	struct dhcp_optlist l = { 0, NULL };
	static const uint8_t old[] = { 0xaa };
	char err[ERRLEN] = "";

	ck_assert_int_eq(dhcp_optlist_set(&l, 250, old, sizeof(old)), 0);
	ck_assert_int_eq(ctl_opt_from_json(j, &l, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, want) != NULL, "got \"%s\", want \"%s\"", err,
	    want);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].code, 250);
	ck_assert_uint_eq(l.v[0].data[0], 0xaa);
	dhcp_optlist_free(&l);
}

START_TEST(test_errors)
{
	json_t *j = jparse(err_cases[_i].json);

	assert_refused(j, err_cases[_i].err);
	json_decref(j);
}
END_TEST

START_TEST(test_null_options)
{
	assert_refused(NULL, "options must be an object or an array, got nothing");
}
END_TEST

static const uint8_t managed_codes[] = { 50, 51, 52, 53, 54, 55, 57, 58, 59,
    61, 82 };

START_TEST(test_managed_codes)
{
	uint8_t code = managed_codes[_i];
	char key[8];
	json_t *j;

	snprintf(key, sizeof(key), "%u", code);
	j = json_pack("{s:s}", key, "00");
	assert_refused(j, "is managed by the server and cannot be set");
	json_decref(j);
	j = json_pack("[{s:i,s:s}]", "code", code, "hex", "00");
	assert_refused(j, "is managed by the server and cannot be set");
	json_decref(j);
	ck_assert_ptr_null(dhcp_optdef_by_code(code));
}
END_TEST

/* No named option is one of the codes the checks refuse. */
START_TEST(test_defs_settable)
{
	const struct dhcp_optdef *d;
	char err[ERRLEN];

	for (int code = 0; code <= 255; code++) {
		if ((d = dhcp_optdef_by_code((uint8_t)code)) == NULL)
			continue;
		ck_assert_int_eq(dhcp_optcode_check(code, err, sizeof(err)), 0);
		ck_assert_ptr_eq(dhcp_optdef_by_name(d->name), d);
		ck_assert_int_lt(d->type, DHCP_OPT_NTYPES);
	}
}
END_TEST

/* The names docs/RPC.md §2.5 promises. */
static const struct def_case {
	const char		*name;
	uint8_t			 code;
	enum dhcp_opttype	 type;
} def_cases[] = {
	{ "routers",		3,	DHCP_OPT_IPLIST },
	{ "domain_name_servers", 6,	DHCP_OPT_IPLIST },
	{ "domain_name",	15,	DHCP_OPT_STRING },
	{ "broadcast_address",	28,	DHCP_OPT_IP },
	{ "ntp_servers",	42,	DHCP_OPT_IPLIST },
	{ "domain_search",	119,	DHCP_OPT_DNSLIST },
	{ "interface_mtu",	26,	DHCP_OPT_UINT16 },
	{ "tftp_server_name",	66,	DHCP_OPT_STRING },
	{ "bootfile_name",	67,	DHCP_OPT_STRING },
	{ "time_offset",	2,	DHCP_OPT_INT32 },
	{ "host_name",		12,	DHCP_OPT_STRING },
	{ "netbios_name_servers", 44,	DHCP_OPT_IPLIST },
	{ "log_servers",	7,	DHCP_OPT_IPLIST },
	{ "default_ip_ttl",	23,	DHCP_OPT_UINT8 },
};

START_TEST(test_defs)
{
	const struct def_case *c = &def_cases[_i];
	const struct dhcp_optdef *d;

	ck_assert_ptr_nonnull(d = dhcp_optdef_by_name(c->name));
	ck_assert_uint_eq(d->code, c->code);
	ck_assert_int_eq(d->type, c->type);
	ck_assert_ptr_eq(dhcp_optdef_by_code(c->code), d);
}
END_TEST

START_TEST(test_defs_unknown)
{
	ck_assert_ptr_null(dhcp_optdef_by_name("nope"));
	ck_assert_ptr_null(dhcp_optdef_by_name(""));
	ck_assert_ptr_null(dhcp_optdef_by_name("Routers"));
	ck_assert_ptr_null(dhcp_optdef_by_code(0));
	ck_assert_ptr_null(dhcp_optdef_by_code(43));
	ck_assert_ptr_null(dhcp_optdef_by_code(255));
}
END_TEST

/* Bytes the decoder must refuse: to_json then falls back to raw hex. */
static const struct dec_case {
	uint8_t		 code;
	const char	*hex;
} dec_cases[] = {
	{ 3, "" }, { 3, "0a00" }, { 3, "0a0000010a" },
	{ 28, "0a0000" }, { 28, "0a00000101" },
	{ 15, "" }, { 15, "6100" }, { 15, "00" },
	{ 26, "05" }, { 26, "0010" }, { 26, "05dc00" },
	{ 23, "00" }, { 23, "4040" },
	{ 19, "02" }, { 19, "" },
	{ 2, "000000" },
	{ 35, "0000000000" },
	{ 119, "" }, { 119, "c00c" }, { 119, "03616263" }, { 119, "00" },
	{ 119, "0361" }, { 119, "012e00" }, { 119, "01610000" },
	{ 119, "012000" }, { 119, "017f00" },
};

START_TEST(test_decode_refuses)
{
	const struct dec_case *c = &dec_cases[_i];
	const struct dhcp_optdef *d = dhcp_optdef_by_code(c->code);
	uint8_t in[DHCP_OPT_MAXLEN];
	struct dhcp_optval v;
	int n;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_ge(n = hex_parse(c->hex, in, sizeof(in)), 0);
	ck_assert_msg(dhcp_opt_decode(d, in, (size_t)n, &v) == -1,
	    "code %u decoded %s", c->code, c->hex);
	ck_assert_ptr_null(v.text);
	ck_assert_ptr_null(v.buf);
}
END_TEST

/* Canonical form: by name with typed values, unknown or undecodable as raw. */
static const struct canon_case {
	const char	*json;
	const char	*canon;
} canon_cases[] = {
	{ "{\"routers\":\"10.1.0.1\"}", "{\"routers\":[\"10.1.0.1\"]}" },
	{ "{\"domain_search\":\"example.com.\"}",
	    "{\"domain_search\":[\"example.com\"]}" },
	{ "{\"252\":\"0A0B\"}", "{\"252\":{\"code\":252,\"hex\":\"0a0b\"}}" },
	{ "{\"3\":\"0a000001\"}", "{\"routers\":[\"10.0.0.1\"]}" },
	{ "{\"ip_forwarding\":true}", "{\"ip_forwarding\":true}" },
	{ "{\"time_offset\":-1}", "{\"time_offset\":-1}" },
	{ "{\"broadcast_address\":\"10.1.255.255\"}",
	    "{\"broadcast_address\":\"10.1.255.255\"}" },
	{ "{\"interface_mtu\":1500,\"domain_name\":\"example.com\"}",
	    "{\"domain_name\":\"example.com\",\"interface_mtu\":1500}" },
	{ "{\"3\":\"0a00\"}", "{\"3\":{\"code\":3,\"hex\":\"0a00\"}}" },
	{ "{\"26\":\"0010\"}", "{\"26\":{\"code\":26,\"hex\":\"0010\"}}" },
	{ "{\"15\":\"ff\"}", "{\"15\":{\"code\":15,\"hex\":\"ff\"}}" },
	{ "{\"15\":\"610062\"}", "{\"15\":{\"code\":15,\"hex\":\"610062\"}}" },
	{ "{\"119\":\"c00c\"}", "{\"119\":{\"code\":119,\"hex\":\"c00c\"}}" },
	{ "{\"19\":\"02\"}", "{\"19\":{\"code\":19,\"hex\":\"02\"}}" },
	{ "{\"43\":\"\"}", "{\"43\":{\"code\":43,\"hex\":\"\"}}" },
	{ "[{\"code\":252,\"hex\":\"01\"},{\"name\":\"routers\",\"value\":"
	    "[\"10.0.0.1\",\"10.0.0.2\"]}]", "{\"routers\":[\"10.0.0.1\","
	    "\"10.0.0.2\"],\"252\":{\"code\":252,\"hex\":\"01\"}}" },
	{ "{}", "{}" },
	{ "[]", "{}" },
};

START_TEST(test_canonical)
{
	const struct canon_case *c = &canon_cases[_i];
	struct dhcp_optlist l = { 0, NULL };
	char err[ERRLEN], *s;
	json_t *j;

	ck_assert_msg(parse_opts(c->json, &l, err) == 0, "%s: %s", c->json, err);
	ck_assert_ptr_nonnull(j = ctl_opt_to_json(&l));
	s = json_dumps(j, JSON_COMPACT);
	ck_assert_str_eq(s, c->canon);
	free(s);
	json_decref(j);
	assert_roundtrip(&l);
	dhcp_optlist_free(&l);
}
END_TEST

/* A list of every named option survives to_json/from_json byte for byte. */
START_TEST(test_roundtrip_all)
{
	static const char all[] = "{\"subnet_mask\":\"255.255.0.0\","
	    "\"time_offset\":3600,\"routers\":[\"10.0.0.1\",\"10.0.0.2\"],"
	    "\"time_servers\":\"10.0.0.3\",\"domain_name_servers\":\"10.0.0.4\","
	    "\"log_servers\":\"10.0.0.5\",\"host_name\":\"h\",\"domain_name\":\"d\","
	    "\"ip_forwarding\":false,\"default_ip_ttl\":64,\"interface_mtu\":1500,"
	    "\"broadcast_address\":\"10.0.255.255\",\"arp_cache_timeout\":60,"
	    "\"default_tcp_ttl\":64,\"nis_domain\":\"nis\",\"nis_servers\":"
	    "[\"10.0.0.6\"],\"ntp_servers\":[\"10.0.0.7\"],"
	    "\"netbios_name_servers\":[\"10.0.0.8\"],\"netbios_scope\":\"s\","
	    "\"tftp_server_name\":\"t\",\"bootfile_name\":\"b\",\"domain_search\":"
	    "[\"a.example\",\"example\"],\"tftp_server_address\":\"10.0.0.9\","
	    "\"43\":\"0102\",\"252\":{\"code\":252,\"hex\":\"\"}}";
	struct dhcp_optlist l = { 0, NULL };
	char err[ERRLEN];

	ck_assert_msg(parse_opts(all, &l, err) == 0, "%s", err);
	ck_assert_uint_eq(l.n, 25);
	for (size_t i = 1; i < l.n; i++)
		ck_assert_uint_lt(l.v[i - 1].code, l.v[i].code);
	assert_roundtrip(&l);
	dhcp_optlist_free(&l);
}
END_TEST

/* An empty object or array clears: valid, and it replaces what was there. */
START_TEST(test_empty_clears)
{
	static const char *const empties[] = { "{}", "[]" };
	struct dhcp_optlist l = { 0, NULL };
	char err[ERRLEN];

	for (size_t i = 0; i < nitems(empties); i++) {
		ck_assert_int_eq(parse_opts("{\"routers\":\"10.0.0.1\"}", &l, err), 0);
		ck_assert_uint_eq(l.n, 1);
		ck_assert_int_eq(parse_opts(empties[i], &l, err), 0);
		ck_assert_uint_eq(l.n, 0);
		ck_assert_ptr_null(l.v);
	}
}
END_TEST

/* JSON array of n copies of s. */
static json_t *
jrepeat(const char *s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(s));
	return a;
}

/* String of n copies of c. */
static char *
srepeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* {name: value} through from_json: 0 / -1; err gets the reason. */
static int
try_one(const char *name, json_t *value, struct dhcp_optlist *l, char *err)
{
	json_t *o = json_object();
	int rc;

	json_object_set_new(o, name, value);
	rc = ctl_opt_from_json(o, l, err, ERRLEN);
	json_decref(o);
	return rc;
}

/* Limits: addresses 1..63, strings 1..255 bytes, labels 1..63, names 255
 * bytes, values 1024 bytes. */
START_TEST(test_limits)
{
	struct dhcp_optlist l = { 0, NULL };
	char err[ERRLEN], *s;

	ck_assert_int_eq(try_one("routers", jrepeat("10.0.0.1", 63), &l, err), 0);
	ck_assert_uint_eq(l.v[0].len, 252);
	ck_assert_int_eq(try_one("routers", jrepeat("10.0.0.1", 64), &l, err), -1);
	ck_assert_str_eq(err, "option 'routers': 64 addresses given, at most 63 "
	    "allowed");
	s = srepeat('x', 255);
	ck_assert_int_eq(try_one("domain_name", json_string(s), &l, err), 0);
	free(s);
	s = srepeat('x', 256);
	ck_assert_int_eq(try_one("domain_name", json_string(s), &l, err), -1);
	ck_assert_str_eq(err, "option 'domain_name': the string is 256 bytes "
	    "long, at most 255 allowed");
	free(s);
	s = srepeat('a', 63);
	ck_assert_int_eq(try_one("domain_search", json_string(s), &l, err), 0);
	ck_assert_uint_eq(l.v[0].len, 65);
	free(s);
	s = srepeat('a', 64);
	ck_assert_int_eq(try_one("domain_search", json_string(s), &l, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "each label must be 1..63 characters"));
	free(s);
	dhcp_optlist_free(&l);
}
END_TEST

START_TEST(test_limits_long)
{
	struct dhcp_optlist l = { 0, NULL };
	char err[ERRLEN], *s;

	/* 4 labels of 63 = 256 wire bytes with the final zero */
	s = srepeat('a', 4 * 64 - 1);
	for (int i = 1; i < 4; i++)
		s[64 * i - 1] = '.';
	ck_assert_int_eq(try_one("domain_search", json_string(s), &l, err), -1);
	ck_assert_str_eq(err, "option 'domain_search': 'aaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is longer than 255 bytes");
	s[253] = '\0';	/* 3 labels of 63, one of 61: 255 bytes */
	ck_assert_int_eq(try_one("domain_search", json_string(s), &l, err), 0);
	ck_assert_uint_eq(l.v[0].len, 255);
	ck_assert_int_eq(try_one("domain_search", jrepeat(s, 5), &l, err), -1);
	ck_assert_str_eq(err, "option 'domain_search': the value is longer than "
	    "1024 bytes");
	ck_assert_int_eq(try_one("domain_search", jrepeat(s, 4), &l, err), 0);
	ck_assert_uint_eq(l.v[0].len, 1020);
	assert_roundtrip(&l);
	free(s);
	s = srepeat('a', 2 * DHCP_OPT_MAXLEN);
	ck_assert_int_eq(try_one("252", json_string(s), &l, err), 0);
	ck_assert_uint_eq(l.v[0].len, DHCP_OPT_MAXLEN);
	assert_roundtrip(&l);
	free(s);
	s = srepeat('a', 2 * DHCP_OPT_MAXLEN + 2);
	ck_assert_int_eq(try_one("252", json_string(s), &l, err), -1);
	ck_assert_str_eq(err, "option 252: the value is longer than 1024 bytes");
	free(s);
	dhcp_optlist_free(&l);
}
END_TEST

/* The list: sorted, unique, replaces, bounded, reusable after free. */
START_TEST(test_optlist)
{
	static const uint8_t codes[] = { 200, 3, 119, 1, 254 };
	static const uint8_t big[DHCP_OPT_MAXLEN + 1];
	struct dhcp_optlist l = { 0, NULL };
	const uint8_t b[] = { 1, 2, 3 };
	const struct dhcp_opt *o;

	for (size_t i = 0; i < nitems(codes); i++)
		ck_assert_int_eq(dhcp_optlist_set(&l, codes[i], b, 1), 0);
	ck_assert_uint_eq(l.n, 5);
	for (size_t i = 1; i < l.n; i++)
		ck_assert_uint_lt(l.v[i - 1].code, l.v[i].code);
	ck_assert_int_eq(dhcp_optlist_set(&l, 3, b, 3), 0);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_ptr_nonnull(o = dhcp_optlist_get(&l, 3));
	ck_assert_uint_eq(o->len, 3);
	ck_assert_mem_eq(o->data, b, 3);
	ck_assert_ptr_null(dhcp_optlist_get(&l, 4));
	ck_assert_ptr_null(dhcp_optlist_get(&l, 255));
	ck_assert_int_eq(dhcp_optlist_set(&l, 0, b, 1), -1);
	ck_assert_int_eq(dhcp_optlist_set(&l, 255, b, 1), -1);
	ck_assert_int_eq(dhcp_optlist_set(&l, 9, big, sizeof(big)), -1);
	ck_assert_int_eq(dhcp_optlist_set(&l, 9, big, DHCP_OPT_MAXLEN), 0);
	ck_assert_int_eq(dhcp_optlist_set(&l, 80, NULL, 0), 0);
	ck_assert_ptr_null(dhcp_optlist_get(&l, 80)->data);
	ck_assert_uint_eq(l.n, 7);
	dhcp_optlist_free(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.v);
	ck_assert_ptr_null(dhcp_optlist_get(&l, 3));
	ck_assert_int_eq(dhcp_optlist_set(&l, 3, b, 2), 0);
	ck_assert_uint_eq(l.n, 1);
	dhcp_optlist_free(&l);
	dhcp_optlist_free(&l);
}
END_TEST

/* Messages quote at most 60 bytes of a value, cut between UTF-8 characters, so
 * the RPC layer can always put them in a JSON string. */
START_TEST(test_error_quote_utf8)
{
	struct dhcp_optlist l = { 0, NULL };
	char err[ERRLEN], name[2 * 40 + 2] = "a";
	json_t *j;

	for (int i = 0; i < 40; i++)
		strcat(name, "\xc3\xa9");		/* U+00E9 */
	ck_assert_int_eq(try_one("routers", json_string(name), &l, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "...' is not an IPv4 address"));
	ck_assert_ptr_nonnull(j = json_string(err));
	json_decref(j);
	ck_assert_int_eq(try_one("domain_search", json_string("caf\xc3\xa9.example"),
	    &l, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not printable ASCII"));
	dhcp_optlist_free(&l);
}
END_TEST

/* n test bytes: random, or (odd k) label-shaped runs with a random byte here
 * and there, which reach deeper into the domain list decoder. */
static void
gen_bytes(uint8_t *p, size_t n, int k)
{
	size_t i = 0, run;

	while (i < n) {
		if (k % 2 == 0 || random() % 16 == 0) {
			p[i++] = (uint8_t)random();
			continue;
		}
		run = (size_t)random() % 4;
		p[i++] = (uint8_t)run;
		for (; run > 0 && i < n; run--)
			p[i++] = (uint8_t)('a' + random() % 26);
	}
}

/* Whatever bytes decode for a known option encode back to the same bytes. */
START_TEST(test_decode_random)
{
	uint8_t in[64], out[DHCP_OPT_MAXLEN];
	const struct dhcp_optdef *d;
	struct dhcp_optval v;
	char err[ERRLEN];
	size_t len, n;

	srandom(2132);
	for (int code = 1; code < 255; code++) {
		if ((d = dhcp_optdef_by_code((uint8_t)code)) == NULL)
			continue;
		for (int k = 0; k < 4000; k++) {
			n = (size_t)random() % sizeof(in);
			gen_bytes(in, n, k);
			if (dhcp_opt_decode(d, in, n, &v) == -1)
				continue;
			ck_assert_int_eq(dhcp_opt_encode(d, &v, out, sizeof(out),
			    &len, err, sizeof(err)), 0);
			ck_assert_uint_eq(len, n);
			if (n > 0)
				ck_assert_mem_eq(in, out, n);
			dhcp_optval_free(&v);
		}
	}
}
END_TEST

/* The pure encoder's own refusals, without JSON. */
START_TEST(test_encode_direct)
{
	const struct dhcp_optdef *d = dhcp_optdef_by_name("broadcast_address");
	const char *two[] = { "10.0.0.1", "10.0.0.2" };
	struct dhcp_optval v = { 0, 2, two, NULL };
	uint8_t out[DHCP_OPT_MAXLEN];
	char err[ERRLEN];
	size_t len;

	ck_assert_int_eq(dhcp_opt_encode(d, &v, out, sizeof(out), &len, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "expected one address, got 2");
	d = dhcp_optdef_by_name("routers");
	ck_assert_int_eq(dhcp_opt_encode(d, &v, out, 4, &len, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "the value is longer than 1024 bytes");
	ck_assert_int_eq(dhcp_opt_encode(d, &v, out, sizeof(out), &len, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(dhcp_optcode_check(1, err, sizeof(err)), 0);
	ck_assert_int_eq(dhcp_optcode_check(254, err, sizeof(err)), 0);
	ck_assert_int_eq(dhcp_optcode_check(1000, NULL, 0), -1);
}
END_TEST

static Suite *
opt_suite(void)
{
	Suite *s = suite_create("dhcp_opt");
	TCase *tc;

	tc = tcase_create("codec");
	tcase_add_loop_test(tc, test_encode, 0, nitems(enc_cases));
	tcase_add_loop_test(tc, test_decode_encode, 0, nitems(enc_cases));
	tcase_add_loop_test(tc, test_decode_refuses, 0, nitems(dec_cases));
	tcase_add_test(tc, test_encode_direct);
	tcase_add_test(tc, test_decode_random);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_errors, 0, nitems(err_cases));
	tcase_add_loop_test(tc, test_managed_codes, 0, nitems(managed_codes));
	tcase_add_test(tc, test_null_options);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_limits_long);
	tcase_add_test(tc, test_error_quote_utf8);
	suite_add_tcase(s, tc);
	tc = tcase_create("defs");
	tcase_add_loop_test(tc, test_defs, 0, nitems(def_cases));
	tcase_add_test(tc, test_defs_unknown);
	tcase_add_test(tc, test_defs_settable);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_loop_test(tc, test_canonical, 0, nitems(canon_cases));
	tcase_add_test(tc, test_roundtrip_all);
	tcase_add_test(tc, test_empty_clears);
	tcase_add_test(tc, test_optlist);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(opt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
