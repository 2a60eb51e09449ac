"""The dashboard over the management listener's TLS (docs/REMOTE.md §10), for
dashboard_test.py: the lab CA and tokens, raw HTTPS probes run inside the
server's namespace, and the steps.

  make_pki(tmp), make_tokens(tmp)  the lab CA (openssl CLI), a server and an
                                   admin certificate; alice (admin) and bob
                                   (user) from `dhcpfoctl token new`
  mgmt_conf(tmp, audit)            the [management] section of server A
  probe_main(kind, args)           inside a namespace (dashboard_test.py probe)
  step_https(...)                  the browser and the probes
"""
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time

import labkit as lk
from labkit import check, wait_for

TLS_PORT = 9968
TLS_URL = "https://127.0.0.1:%d" % TLS_PORT
# ctl_tls.c: connections from one address; ctl_http.h: the request's timeout
PER_ADDR, HEAD_TIMEOUT, FIRST_BYTE_TIMEOUT = 8, 5, 10
PCT = 67        # the percentage the button's rebalance applies
RPC = {"jsonrpc": "2.0", "id": 1, "method": "failover.trigger_addr_allocation",
       "params": {"name": "r1"}}
EXT = """[client]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = clientAuth
[server]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
"""


# ---- the lab's CA and tokens ----

def openssl(tmp, *args):
    subprocess.run(["openssl"] + list(args), cwd=tmp, capture_output=True, check=True)


def make_pki(tmp):
    with open(os.path.join(tmp, "ext.cnf"), "w") as f:
        f.write(EXT)
    openssl(tmp, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "30",
            "-subj", "/O=Lab/CN=Lab CA")
    for name, subj, ext in (("server", "/O=Lab/CN=dhcpfod", "server"),
                            ("ops", "/O=Lab/OU=admins/CN=ops", "client")):
        openssl(tmp, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subj)
        openssl(tmp, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey",
                "ca.key", "-CAcreateserial", "-days", "30", "-sha256", "-out",
                name + ".crt", "-extfile", "ext.cnf", "-extensions", ext)


def make_tokens(tmp):
    """{name: token} of alice (admin) and bob (user); the tokens file."""
    toks, lines = {}, []
    for name, role in (("alice", "admin"), ("bob", "user")):
        p = subprocess.run([lk.CTL, "token", "new", name, "--role", role],
                           capture_output=True, text=True, check=True)
        toks[name], line = p.stdout.splitlines()
        lines.append(line)
    with open(os.path.join(tmp, "tokens"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return toks


def mgmt_conf(tmp, audit):
    return ("[management]\nlisten = 127.0.0.1:%d\ncertificate = %s/server.crt\n"
            "key = %s/server.key\nca = %s/ca.crt\nadmins = OU=admins,O=Lab\nusers = O=Lab\n"
            "tokens = %s/tokens\ntoken-without-certificate = yes\naudit-log = %s\n"
            % (TLS_PORT, tmp, tmp, tmp, tmp, audit))


# ---- inside the namespace: raw HTTPS ----

def tls_conn(cert_dir=None, timeout=10.0):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert_dir:
        ctx.load_cert_chain(os.path.join(cert_dir, "ops.crt"), os.path.join(cert_dir, "ops.key"))
    s = socket.create_connection(("127.0.0.1", TLS_PORT), timeout=timeout)
    return ctx.wrap_socket(s)


def read_all(s):
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ssl.SSLError, ConnectionError):
        pass
    return data


def answer(data):
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", data)
    body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
    return {"status": int(m.group(1)) if m else 0, "body": body.decode(errors="replace")}


def https(payload, cert_dir=None):
    try:
        s = tls_conn(cert_dir)
    except (OSError, ssl.SSLError) as e:
        return {"status": -1, "body": repr(e)}
    try:
        s.sendall(payload)
        return answer(read_all(s))
    finally:
        s.close()


def request(method, path, headers, body=b""):
    h = "".join("%s: %s\r\n" % kv for kv in headers.items())
    if body:
        h += "Content-Length: %d\r\n" % len(body)
    return ("%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (method, path, h)).encode() + body


def probe_flood(n):
    """n idle TLS connections from this address: how many the listener
    takes; a request meanwhile; how long the taken ones are kept."""
    held, refused = [], 0
    for _ in range(n):
        try:
            held.append(tls_conn(timeout=5))
        except (OSError, ssl.SSLError):
            refused += 1
    t0 = time.monotonic()
    for s in held:
        s.settimeout(FIRST_BYTE_TIMEOUT + 5)
    closed = sum(1 for s in held if read_all(s) == b"")
    waited = time.monotonic() - t0
    for s in held:
        s.close()
    time.sleep(0.3)
    after = https(request("GET", "/api/v1/whoami", {}))["status"]
    return {"taken": len(held), "refused": refused, "closed": closed, "waited": waited,
            "after": after}


def probe_slow():
    """A request head a byte a second: 408 after the head timeout."""
    s = tls_conn(timeout=HEAD_TIMEOUT + 5)
    t0 = time.monotonic()
    try:
        s.sendall(b"GET / HTTP/1.1\r\n")
        for c in b"X-Slow: " + b"a" * 30:
            s.sendall(bytes([c]))
            time.sleep(1)
    except (OSError, ssl.SSLError):
        pass
    got = answer(read_all(s))
    s.close()
    return {"status": got["status"], "secs": time.monotonic() - t0}


def probe_main(kind, args):
    if kind == "tls":           # tls PAYLOAD_HEX [CERT_DIR]
        return https(bytes.fromhex(args[0]), args[1] if len(args) > 1 else None)
    if kind == "tlsrpc":        # a JSON-RPC line without a certificate
        return https(b'{"jsonrpc":"2.0","id":1,"method":"server.status"}\n')
    if kind == "tlsflood":
        return probe_flood(int(args[0]))
    return probe_slow()


# ---- the steps ----

def tprobe(probe, ns, payload, cert_dir=None):
    return probe(ns, "tls", payload.hex(), *([cert_dir] if cert_dir else []))


def post(probe, ns, tok=None, headers=None, body=None, path="/api/v1/rpc"):
    h = {"Content-Type": "application/json", "X-Requested-With": "dhcpfod"}
    if tok:
        h["Authorization"] = "Bearer " + tok
    if headers is not None:
        h = headers
    return tprobe(probe, ns, request("POST", path, h, json.dumps(body or RPC).encode()))


def signed_in(ns, tmp, tok, who):
    """A browser on the HTTPS dashboard, the token typed into the page."""
    from cdp import Browser
    b = Browser(ns, tmp, ["--ignore-certificate-errors"])
    b.goto(TLS_URL + "/")
    check(b.wait_js("document.getElementById('live').textContent.startsWith('no answer (401')",
                    15), "HTTPS page before signing in: the status is 401")
    b.type_into("#token", tok)
    b.click("#signin button[type=submit]")
    got = b.wait_js("(t => t.startsWith('token %s') && t)(document.getElementById('who')"
                    ".textContent)" % who, 15)
    check(got, "signed in as %s: %r" % (who, got))
    check(b.js("sessionStorage.getItem('dhcpfod.token') === %s && document.cookie === ''"
               % json.dumps(tok)), "the token in sessionStorage, no cookie")
    check(b.wait_js("document.getElementById('live').textContent.startsWith('live')", 15),
          "the page went live over HTTPS")
    return b


def cert_browser(ns, tmp):
    """A browser holding the admin's client certificate (ops.p12 in an NSS
    database under its own HOME, as Chromium on Linux keeps them), chosen
    for the listener without a dialog by the profile's
    auto_select_certificate setting; None without certutil/pk12util."""
    from cdp import Browser
    if not (shutil.which("certutil") and shutil.which("pk12util")):
        print("dashboard: no certutil/pk12util (libnss3-tools): the browser's client "
              "certificate is not tried")
        return None
    home = os.path.join(tmp, "chromium-home")
    db = "sql:" + os.path.join(home, ".pki", "nssdb")
    os.makedirs(os.path.join(home, ".pki", "nssdb"), exist_ok=True)
    openssl(tmp, "pkcs12", "-export", "-in", "ops.crt", "-inkey", "ops.key", "-out",
            "ops.p12", "-passout", "pass:")
    subprocess.run(["certutil", "-N", "-d", db, "--empty-password"], check=True,
                   capture_output=True)
    subprocess.run(["pk12util", "-i", os.path.join(tmp, "ops.p12"), "-d", db, "-W", ""],
                   check=True, capture_output=True)
    prefs = {"profile": {"content_settings": {"exceptions": {"auto_select_certificate": {
        TLS_URL + ",*": {"setting": {"filters": [{}]}}}}}}}
    return Browser(ns, tmp, ["--ignore-certificate-errors"], prefs=prefs,
                   env=dict(os.environ, HOME=home))


def step_cert(a, tmp):
    """The admin's client certificate alone, in the browser: the page knows
    the subject, and its Rebalance now is audited under it."""
    br = cert_browser(a.ns, tmp)
    if br is None:
        return
    try:
        br.goto(TLS_URL + "/")
        who = br.wait_js("(t => t.startsWith('CN=') && t)(document.getElementById('who')"
                         ".textContent)", 15)
        check(who == "CN=ops,OU=admins,O=Lab · DHCP Administrators",
              "the browser's client certificate is the caller: %r" % who)
        check(br.wait_js("(e => e && !e.disabled)(document.querySelector("
                         "'button.rebalance[data-rel=r1]'))", 10),
              "Rebalance now enabled for the certificate's administrator")
        br.click("button.rebalance[data-rel=r1]")
        msg = br.wait_js("(t => t.includes('rebalanced') && t)(document.getElementById("
                         "'action').textContent)", 30)
        check(msg, "rebalanced as the certificate's subject: %r" % msg)
    finally:
        br.close()


def bar_js():
    return ("(e => e && [Number(e.dataset.thisFree), Number(e.dataset.partnerFree)])"
            "(document.querySelector('.scope[data-subnet=\"10.77.0.0\"]'))")


def step_browser(a, b, tmp, toks, shots, split_is, stats_of):
    """alice presses Rebalance now: the split follows the new percentage.
    From 70 to 67 % moves fewer addresses than the 5 % threshold of the
    automatic rebalance on entering NORMAL (FAILOVER.md §11): only the
    button's exact rebalance moves them."""
    for srv in (a, b):
        r = srv.call("failover.set", {"name": "r1", "percentage": PCT})
        check(r[0] == "ok", "failover.set percentage %d on %s: %r" % (PCT, srv.name, r))
    check(wait_for(lambda: a.rel().get("state") == "NORMAL" and
                   b.rel().get("state") == "NORMAL" and
                   a.rel().get("partner_state") == "NORMAL", 40), "NORMAL again at %d %%" % PCT)
    time.sleep(2)       # past the tick of the automatic rebalance
    check(not split_is(a, b, PCT), "the split is not yet at %d %%" % PCT)
    br = signed_in(a.ns, tmp, toks["alice"], "alice")
    try:
        before = br.wait_js(bar_js(), 10)
        s = stats_of(a)
        check(before == [s.get("this_addr_free"), s.get("partner_addr_free")],
              "the HTTPS page's bar is failover.scope_statistics: %s" % before)
        check(br.js("!document.querySelector('button.rebalance[data-rel=r1]').disabled"),
              "Rebalance now enabled for an administrator")
        br.click("button.rebalance[data-rel=r1]")
        msg = br.wait_js("(t => t.includes('rebalanced') && t)(document.getElementById("
                         "'action').textContent)", 30)
        check(msg, "the page says r1 was rebalanced: %r" % msg)
        check(wait_for(lambda: split_is(a, b, PCT), 15), "the split at %d %% in the RPC" % PCT)
        after = br.wait_js("(v => v && v[0] != %d && v)(%s)" % (before[0], bar_js()), 15)
        s = stats_of(a)
        check(after == [s.get("this_addr_free"), s.get("partner_addr_free")] and
              after != before, "the bar moved %s -> %s after Rebalance now" % (before, after))
        br.js("window.scrollTo(0, 0)")
        br.screenshot(os.path.join(shots, "dashboard-https-admin.png"))
    finally:
        br.close()
    br = signed_in(a.ns, tmp, toks["bob"], "bob")
    try:
        title = br.wait_js("(e => e && e.disabled && e.title)(document.querySelector("
                           "'button.rebalance[data-rel=r1]'))", 10)
        check(title and "DHCP Users" in title, "Rebalance now disabled for a user: %r" % title)
        br.screenshot(os.path.join(shots, "dashboard-https-user.png"))
    finally:
        br.close()


def step_api(probe, a, tmp, toks, audit):
    """Roles, CSRF, the plain listener, the audit log, through raw requests."""
    ns = a.ns
    r = post(probe, ns, toks["bob"])
    err = json.loads(r.get("body") or "{}").get("error", {})
    check(r.get("status") == 403 and err.get("code") == 5,
          "a user's direct POST: %s %s, want 403 / 5" % (r.get("status"), err))
    h = {"Content-Type": "application/json", "Authorization": "Bearer " + toks["alice"]}
    r = post(probe, ns, headers=h)
    check(r.get("status") == 403 and "X-Requested-With" in r.get("body", ""),
          "a POST without X-Requested-With (CSRF): %s" % r)
    h = {"Content-Type": "text/plain", "X-Requested-With": "dhcpfod",
         "Authorization": "Bearer " + toks["alice"]}
    check(post(probe, ns, headers=h).get("status") == 415, "a POST of text/plain: 415")
    check(post(probe, ns).get("status") == 401, "a POST with neither token nor certificate")
    check(post(probe, ns, "dfo_" + "0" * 64).get("status") == 401, "a wrong token: 401")
    for path in ("/api/v1/status", "/api/v1/leases?q=x"):
        r = tprobe(probe, ns, request("GET", path, {}))
        check(r.get("status") == 401, "GET %s without a token: %s" % (path, r.get("status")))
    r = tprobe(probe, ns, request("GET", "/api/v1/rpc", {}))
    check(r.get("status") == 405, "GET /api/v1/rpc: 405")
    # the admin's certificate, no token: the certificate's role
    r = tprobe(probe, ns, request("POST", "/api/v1/rpc", {"Content-Type": "application/json",
                                  "X-Requested-With": "dhcpfod"},
                                  b'{"jsonrpc":"2.0","id":2,"method":"server.status"}'), tmp)
    check(r.get("status") == 200 and '"result"' in r.get("body", ""),
          "a POST with the admin's client certificate: %s" % r.get("status"))
    r = probe(ns, "tlsrpc")
    check(r.get("status") == 0 and "jsonrpc" not in r.get("body", ""),
          "JSON-RPC lines without a certificate get nothing: %s" % r)
    # the plain listener never changes anything
    plain = request("POST", "/api/v1/rpc", {"Content-Type": "application/json",
                    "X-Requested-With": "dhcpfod", "Authorization": "Bearer " +
                    toks["alice"]}, json.dumps(RPC).encode())
    r = probe(ns, "raw", plain.hex())
    check(r.get("status") == 405, "POST on the plain metrics listener: %s" % r)
    lines = [json.loads(x) for x in open(audit).read().splitlines()] \
        if os.path.exists(audit) else []
    mine = [x for x in lines if x["channel"] == "https" and
            x["method"] == "failover.trigger_addr_allocation"]
    check(any(x["identity"] == "token alice (no certificate)" and x["result"] == 0
              for x in mine), "the audit log has alice's rebalance over HTTPS: %s" % mine)
    check(any(x["identity"] == "token bob (no certificate)" and x["result"] == 5
              for x in mine), "the audit log has bob's refused rebalance")
    if shutil.which("certutil"):
        check(any(x["identity"] == "CN=ops,OU=admins,O=Lab" and x["result"] == 0
                  for x in mine), "the audit log has the certificate's rebalance")
    check(all(t not in open(audit).read() for t in toks.values()), "no token in the audit log")


def step_abuse(probe, a, b, tmp, ns_c):
    """The TLS path's limits, DHCP served meanwhile."""
    ns = a.ns
    for what, payload, want in (
            ("long URL", b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n", 414),
            ("huge header", b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
            ("a body over 16 KiB", b"POST /api/v1/rpc HTTP/1.1\r\nContent-Length: 99999\r\n"
             b"\r\n", 413),
            ("chunked", b"POST /api/v1/rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
             501),
            ("DELETE", b"DELETE / HTTP/1.1\r\n\r\n", 405),
            ("HTTP/2.0", b"GET / HTTP/2.0\r\n\r\n", 505)):
        r = tprobe(probe, ns, payload)
        check(r.get("status") == want, "HTTPS %s: %s, want %d" % (what, r.get("status"), want))
    cmd = ["ip", "netns", "exec", ns, sys.executable,
           os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboard_test.py"),
           "probe"]
    slow = subprocess.Popen(cmd + ["tlsslow"], stdout=subprocess.PIPE, text=True)
    time.sleep(1)
    flood = subprocess.Popen(cmd + ["tlsflood", str(PER_ADDR + 6)], stdout=subprocess.PIPE,
                             text=True)
    time.sleep(2)
    got = lk.udhcpc(ns_c, "c3", tmp)
    check(got is not None, "a udhcpc client gets its lease during the HTTPS abuse: %s" % (got,))
    check(a.call("server.status")[0] == "ok", "the RPC answers during the HTTPS abuse")
    fl = json.loads(flood.communicate(timeout=90)[0] or "{}")
    sl = json.loads(slow.communicate(timeout=90)[0] or "{}")
    check(fl.get("refused", 0) >= 6, "TLS connections past %d from one address refused: %s"
          % (PER_ADDR, fl))
    check(fl.get("taken") and fl.get("closed") == fl.get("taken") and
          fl.get("waited", 99) < FIRST_BYTE_TIMEOUT + 3,
          "certificate-less idle connections closed within %d s: %s" % (FIRST_BYTE_TIMEOUT, fl))
    check(fl.get("after") == 200, "HTTPS served again afterwards: %s" % fl.get("after"))
    check(sl.get("status") == 408 and sl.get("secs", 99) < HEAD_TIMEOUT + 3,
          "a slow HTTPS client is cut off with 408: %s" % sl)
    check(a.rel().get("state") == "NORMAL" and b.rel().get("state") == "NORMAL",
          "the pair still NORMAL after the HTTPS abuse")
