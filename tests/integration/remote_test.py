#!/usr/bin/env python3
"""Remote management over mutual TLS (issue 13, docs/REMOTE.md) end to end.

Three network namespaces this process creates and always removes: the server
(dhcpfod: DHCP on its LAN interface, [management] listen on its management
interface), a management host, and a DHCP client. A lab CA and its
certificates are made with the openssl CLI in the test's temporary directory.

  - every management method family works from the management host with
    `dhcpfoctl --server` and an administrator's certificate (options, and the
    per-user config file);
  - a DHCP User's certificate reads, and gets 5 on every change; a certificate
    of the CA whose subject has no role gets 5 on everything;
  - no certificate, an expired one, one of another CA, plaintext, a garbled
    TLS stream, a recorded session's bytes replayed, a record flipped
    mid-session and a client that never finishes its handshake are refused and
    logged (the replayed change not made again, the flipped request not run);
    too many connections are refused and logged; meanwhile a udhcpc
    client gets a lease and the Unix socket and other TLS clients are served;
  - the audit log holds each change with the caller's identity (certificate
    subject, or uid for the socket) and no secret.

Needs root (namespaces), busybox and openssl; exit 77 (skip) without them.
Exit 0 = all passed.
"""
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

import labkit as lk
from labkit import check

SRV, MGMT, CLI = ("dfr%s%s" % (x, lk.TAG) for x in ("s", "m", "c"))
SRV_IP, MGMT_IP, LAN_IP = "10.88.0.1", "10.88.0.2", "10.77.0.1"
PORT = 9968
SECRET = "s3cret-never-logged"
ADMINS = "OU=admins,O=Lab"
USERS = "O=Lab"


# ---- the lab CA ----

def openssl(tmp, *args):
    p = subprocess.run(["openssl"] + list(args), cwd=tmp, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(args), p.stderr))


def ec_req(tmp, name, subj):
    """A P-256 key and a certificate request."""
    openssl(tmp, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subj)


def make_ca(tmp, name, subj):
    openssl(tmp, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", name + ".key", "-out", name + ".crt", "-days", "30",
            "-subj", subj)


def sign(tmp, ca, name, subj, ext):
    """name.crt for subj, signed by ca, with the extensions of section ext."""
    ec_req(tmp, name, subj)
    openssl(tmp, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey",
            ca + ".key", "-CAcreateserial", "-days", "30", "-sha256", "-out", name + ".crt",
            "-extfile", "ext.cnf", "-extensions", ext)


CA_CNF = """[ca]
default_ca = lab
[lab]
dir = .
database = index.txt
new_certs_dir = .
serial = ca.srl2
default_md = sha256
policy = any
x509_extensions = client
[any]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
[client]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = clientAuth
[server]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:%s
""" % SRV_IP


def make_pki(tmp):
    """The lab CA, the server's certificate, clients of every kind."""
    with open(os.path.join(tmp, "ext.cnf"), "w") as f:
        f.write(CA_CNF)
    open(os.path.join(tmp, "index.txt"), "w").close()
    with open(os.path.join(tmp, "ca.srl2"), "w") as f:
        f.write("1000\n")
    make_ca(tmp, "ca", "/O=Lab/CN=Lab CA")
    make_ca(tmp, "evilca", "/O=Lab/CN=Lab CA")    # the same name, another key
    sign(tmp, "ca", "server", "/O=Lab/CN=dhcpfod", "server")
    sign(tmp, "ca", "ops", "/O=Lab/OU=admins/CN=ops", "client")
    sign(tmp, "ca", "viewer", "/O=Lab/CN=viewer", "client")
    sign(tmp, "ca", "nobody", "/O=Other/CN=nobody", "client")
    sign(tmp, "evilca", "forged", "/O=Lab/OU=admins/CN=ops", "client")
    ec_req(tmp, "old", "/O=Lab/OU=admins/CN=old")   # expired a year ago
    openssl(tmp, "ca", "-config", "ext.cnf", "-batch", "-notext", "-cert", "ca.crt",
            "-keyfile", "ca.key", "-in", "old.csr", "-out", "old.crt",
            "-startdate", "20200101000000Z", "-enddate", "20200201000000Z")


# ---- the lab ----

def lab_up(lab):
    lab.up()
    lab.veth(SRV, "mg0", "mg1", MGMT)
    lab.ifup(SRV, "mg0", SRV_IP + "/24")
    lab.ifup(MGMT, "mg1", MGMT_IP + "/24", *("10.88.0.%d/24" % h for h in (3, 4, 5, 6)))
    lab.veth(SRV, "lan0", "lan1", CLI)
    lab.ifup(SRV, "lan0", LAN_IP + "/24")
    lab.ifup(CLI, "lan1")


def conf_text(d, tmp):
    return ("[server]\ninterfaces = lan0\ndatabase = %s/db.sqlite\ncontrol-socket = %s\n"
            "server-id = %s\nlog-level = debug\n[failover]\nlisten = %s:647\n"
            "[management]\nlisten = %s:%d\ncertificate = %s/server.crt\nkey = %s/server.key\n"
            "ca = %s/ca.crt\nadmins = %s\nusers = %s\ntokens = %s/tokens\n"
            "audit-log = %s/audit.log\n"
            % (d.dir, d.sock, LAN_IP, SRV_IP, SRV_IP, PORT, tmp, tmp, tmp, ADMINS, USERS,
               tmp, d.dir))


def make_tokens(tmp):
    """dhcpfoctl token new: alice an administrator, bob a user; the tokens
    file from their second lines; {name: token}."""
    toks, lines = {}, []
    for name, role in (("alice", "admin"), ("bob", "user")):
        p = subprocess.run([lk.CTL, "token", "new", name, "--role", role],
                           capture_output=True, text=True, check=True)
        tok, line = p.stdout.splitlines()
        toks[name] = tok
        lines.append(line)
    check(all(t not in "\n".join(lines) for t in toks.values()),
          "the tokens file holds no token")
    with open(os.path.join(tmp, "tokens"), "w") as f:
        f.write("# made by dhcpfoctl token new\n" + "\n".join(lines) + "\n")
    return toks


# ---- clients ----

class Remote:
    """dhcpfoctl on the management host, as the holder of certificate cert."""

    def __init__(self, tmp, cert, ca="ca"):
        self.tmp, self.cert, self.ca = tmp, cert, ca

    def run(self, *args, extra=(), env=None):
        """(exit status, stdout, stderr)."""
        opts = ["--server", SRV_IP] + list(extra)
        if self.cert:
            opts += ["--cert", os.path.join(self.tmp, self.cert + ".crt"),
                     "--key", os.path.join(self.tmp, self.cert + ".key"),
                     "--ca", os.path.join(self.tmp, self.ca + ".crt")]
        e = dict(os.environ, HOME=os.path.join(self.tmp, "nohome"), DHCPFOCTL_TIMEOUT="10")
        e.update(env or {})
        p = subprocess.run(["ip", "netns", "exec", MGMT, lk.CTL] + opts + list(args),
                           capture_output=True, text=True, timeout=60, env=e)
        return p.returncode, p.stdout, p.stderr

    def call(self, method, params=None):
        """("ok", result) | ("err", code) | ("bad", stderr)."""
        rc, out, err = self.run("call", method, json.dumps(params or {}))
        if rc == 0:
            return ("ok", json.loads(out))
        if rc == 1:
            try:
                return ("err", int(err.strip().splitlines()[-1].split(" (", 1)[1]
                                   .split(")", 1)[0]))
            except (IndexError, ValueError):
                pass
        return ("bad", err.strip())


def raw(payload, wait=2.0):
    """Connect from the management host, send payload, read what comes back
    within wait seconds: the bytes, or the exception's name."""
    code = ("import socket,sys\ns=socket.create_connection((%r,%d),timeout=%r)\n"
            "s.sendall(bytes.fromhex(%r))\nb=b''\ntry:\n"
            "    while True:\n        x=s.recv(4096)\n        if not x: break\n        b+=x\n"
            "except Exception as e:\n    print('EXC',type(e).__name__)\nprint(repr(b))\n"
            % (SRV_IP, PORT, wait, payload.hex()))
    return lk.sh(sys.executable, "-c", code, ns=MGMT, check_rc=False).stdout


def tls_no_cert(tmp):
    """A TLS client with no certificate: what it read after sending a request."""
    code = ("import socket,ssl\nc=ssl.create_default_context(cafile=%r)\n"
            "c.check_hostname=False\n"
            "s=c.wrap_socket(socket.create_connection((%r,%d),timeout=5))\n"
            "try:\n    s.sendall(b'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server.status\"}\\n')\n"
            "    print('READ', s.recv(4096))\nexcept Exception as e:\n"
            "    print('EXC', type(e).__name__, e)\n"
            % (os.path.join(tmp, "ca.crt"), SRV_IP, PORT))
    p = lk.sh(sys.executable, "-c", code, ns=MGMT, check_rc=False)
    return p.stdout + p.stderr


# ---- the checks ----

def families(adm):
    """Every method family, remotely, as an administrator."""
    rc, out, err = adm.run("scope", "create", "10.77.0.0/24", "--range", "10.77.0.100",
                           "10.77.0.140", "--name", "lab", "--option", "routers=10.77.0.1",
                           "--lease-time", "600")
    check(rc == 0, "remote scope create: %s" % err)
    steps = [
        ("scope.get", {"subnet": "10.77.0.0"}, "ok"),
        ("scope.list", {}, "ok"),
        ("scope.set", {"subnet": "10.77.0.0", "name": "lab-1"}, "ok"),
        ("scope.add_exclusion", {"subnet": "10.77.0.0", "start": "10.77.0.130",
                                 "end": "10.77.0.140"}, "ok"),
        ("scope.remove_exclusion", {"subnet": "10.77.0.0", "start": "10.77.0.130",
                                    "end": "10.77.0.140"}, "ok"),
        ("reservation.add", {"subnet": "10.77.0.0", "address": "10.77.0.50",
                             "hwaddr": "02:00:00:00:00:50", "name": "printer"}, "ok"),
        ("reservation.list", {"subnet": "10.77.0.0"}, "ok"),
        ("reservation.remove", {"subnet": "10.77.0.0", "address": "10.77.0.50"}, "ok"),
        ("lease.add", {"address": "10.77.0.120", "hwaddr": "02:00:00:00:01:20",
                       "ends": int(time.time()) + 3600}, "ok"),
        ("lease.get", {"address": "10.77.0.120"}, "ok"),
        ("lease.list", {"subnet": "10.77.0.0"}, "ok"),
        ("lease.delete", {"address": "10.77.0.120"}, "ok"),
        ("server.status", {}, "ok"),
        ("server.stats", {}, "ok"),
        ("server.metrics", {}, "ok"),
        ("server.reload", {}, "ok"),
        ("failover.create", {"name": "r1", "primary_server": LAN_IP,
                             "secondary_server": "10.77.0.2", "server_type": "primary",
                             "mode": "load-balance", "percentage": 50, "mclt": 60,
                             "scopes": ["10.77.0.0"], "shared_secret": SECRET}, "ok"),
        ("failover.get", {"name": "r1"}, "ok"),
        ("failover.list", {}, "ok"),
        ("failover.set", {"name": "r1", "percentage": 60, "shared_secret": SECRET}, "ok"),
        ("failover.scope_relationship", {"scope": "10.77.0.0"}, "ok"),
        ("failover.scope_statistics", {"scope": "10.77.0.0"}, "ok"),
        ("failover.system_time", {}, "ok"),
        ("failover.address_status", {"address": "10.77.0.101"}, "ok"),
        ("failover.client_info", {"hwaddr": "02:00:00:00:09:99"}, ("err", 20013)),
        # no partner: the method ran and answered its own error
        ("failover.add_scopes", {"name": "r1", "scopes": ["10.77.0.0"]}, ("err", 20113)),
        ("failover.remove_scopes", {"name": "r1", "scopes": ["10.77.0.0"]},
         ("err", 20120)),
        ("failover.trigger_addr_allocation", {"name": "r1"}, ("err", 20120)),
    ]
    for method, params, want in steps:
        r = adm.call(method, params)
        got = r[0] if want == "ok" else r
        check(got == want, "remote %s as admin: %r, want %r" % (method, r, want))
    rc, out, err = adm.run("failover", "rebalance", "r1")
    check(rc == 1 and "(20120)" in err, "remote failover rebalance: %d %s" % (rc, err))
    rc, out, err = adm.run("export")
    check(rc == 0 and json.loads(out)["scopes"][0]["subnet"] == "10.77.0.0",
          "remote export (several calls): %d %s" % (rc, err))


def user_role(usr, nobody):
    r = usr.call("scope.list")
    check(r[0] == "ok" and len(r[1]["scopes"]) == 1, "user reads scope.list: %r" % (r,))
    r = usr.call("failover.get", {"name": "r1"})
    check(r[0] == "ok" and SECRET not in json.dumps(r[1]),
          "user reads failover.get: %r" % (r[0],))
    for method, params in (("scope.delete", {"subnet": "10.77.0.0"}),
                           ("failover.set", {"name": "r1", "percentage": 10}),
                           ("server.reload", {}), ("lease.delete",
                                                   {"address": "10.77.0.101"})):
        r = usr.call(method, params)
        check(r == ("err", 5), "user %s: %r, want 5" % (method, r))
    rc, out, err = usr.run("failover", "rebalance", "r1")
    check(rc == 1 and "ERROR_ACCESS_DENIED (5)" in err and "DHCP Users" in err,
          "user failover rebalance: %d %s" % (rc, err))
    r = nobody.call("server.status")
    check(r == ("err", 5), "a subject in no role: %r" % (r,))
    rc, out, err = nobody.run("status")
    check("matches neither" in err, "no-role detail: %s" % err)


def refusals(d, tmp):
    """Certificates and streams that must not get in, each logged."""
    rc, out, err = Remote(tmp, "old").run("status")
    check(rc == 3 and "TLS refused" in err, "expired certificate: %d %s" % (rc, err))
    rc, out, err = Remote(tmp, "forged").run("status")
    check(rc == 3 and "TLS refused" in err, "another CA's certificate: %d %s" % (rc, err))
    rc, out, err = Remote(tmp, "ops", ca="evilca").run("status")
    check(rc == 3 and "not trusted" in err, "server not trusted with another CA: %s" % err)
    rc, out, err = Remote(tmp, None).run("status")
    check(rc == 2 and "--cert" in err, "--server without a certificate: %d %s" % (rc, err))
    rc, out, err = Remote(tmp, "ops").run("status", extra=["--server", "10.88.0.9:9968"])
    check(rc == 3 and "cannot reach" in err, "an unreachable server: %d %s" % (rc, err))
    out = tls_no_cert(tmp)
    check("READ" not in out or "result" not in out, "a TLS client without a "
          "certificate read nothing: %s" % out)
    out = raw(b'{"jsonrpc":"2.0","id":1,"method":"server.status"}\n')
    check("result" not in out and "jsonrpc" not in out, "plaintext gets no answer: %s"
          % out)
    raw(b"\x16\x03\x01\x02\x00" + os.urandom(512))
    raw(os.urandom(300))
    log = d.log()
    for what, pat in (("expired", "client certificate: certificate has expired"),
                      ("no certificate", "peer did not return a certificate"),
                      ("untrusted CA", "client certificate: "),
                      ("plaintext", "wrong version number"),
                      ("garbled", "refused: TLS")):
        check(pat in log, "log says %s is refused ('%s')" % (what, pat))


# A TLS client driven through memory buffers, so that the test holds every
# byte it sends: "record" makes one change over a real session and prints the
# client's bytes; "replay" sends such bytes again on a new connection; "flip"
# makes a session, is answered once, then sends a request whose record has
# one byte inverted mid-stream. Each prints what it read back.
TAMPER = r"""
import json, socket, ssl, sys
mode, host, port, ca, crt, key = sys.argv[1:7]
def session():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(crt, key)
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out)
    s = socket.create_connection((host, int(port)), timeout=5)
    return s, obj, inc, out
def pump(s, inc):
    b = s.recv(65536)
    if not b:
        raise EOFError
    inc.write(b)
def answer(s, obj, inc):
    buf = b""
    while b"\n" not in buf:
        try:
            buf += obj.read(65536)
        except ssl.SSLWantReadError:
            pump(s, inc)
    return buf.decode()
def drain(s):
    got = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except Exception as e:
        print("EXC", type(e).__name__)
    return got
if mode == "replay":
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall(bytes.fromhex(sys.stdin.read().strip()))
    got = drain(s)
    print("READ", len(got), b'"result"' in got)
    sys.exit(0)
s, obj, inc, out = session()
sent = []
while True:
    try:
        obj.do_handshake()
        break
    except ssl.SSLWantReadError:
        b = out.read()
        sent.append(b)
        s.sendall(b)
        pump(s, inc)
b = out.read()
sent.append(b)
s.sendall(b)
req = sys.stdin.read().encode()
obj.write(req.splitlines(True)[0])
b = out.read()
sent.append(b)
s.sendall(b)
print("ANSWER", answer(s, obj, inc).strip())
if mode == "flip":
    obj.write(req.splitlines(True)[1])
    b = bytearray(out.read())
    b[len(b) // 2] ^= 0xff
    s.sendall(bytes(b))
    got = drain(s)
    print("AFTER-FLIP", len(got))
else:
    print("BYTES", b"".join(sent).hex())
"""


def tamper(tmp, mode, stdin):
    p = subprocess.run(["ip", "netns", "exec", MGMT, sys.executable, "-c", TAMPER, mode,
                        SRV_IP, str(PORT), os.path.join(tmp, "ca.crt"),
                        os.path.join(tmp, "ops.crt"), os.path.join(tmp, "ops.key")],
                       input=stdin, capture_output=True, text=True, timeout=30)
    return p.stdout + p.stderr


def replayed_garbled(d, tmp, adm):
    """A recorded session's bytes sent again, and a session whose record is
    flipped mid-stream, are refused and logged; the change is not made twice;
    DHCP, the socket and other TLS clients are served meanwhile."""
    req = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "scope.set",
                      "params": {"subnet": "10.77.0.0", "name": "recorded"}}) + "\n"
    out = tamper(tmp, "record", req)
    check('"result"' in out and "BYTES " in out, "a recorded session's change: %s"
          % out[:300])
    recorded = out.split("BYTES ", 1)[1].split()[0] if "BYTES " in out else ""
    n0 = d.log().count("refused")
    check(adm.call("scope.set", {"subnet": "10.77.0.0", "name": "lab"})[0] == "ok",
          "the name changed back")
    out = tamper(tmp, "replay", recorded)
    check("READ" in out and "True" not in out, "the replayed session gets no answer: %s"
          % out)
    check(lk.wait_for(lambda: d.log().count("refused") > n0, 5),
          "the replay is refused and logged")
    check(d.result("scope.get", {"subnet": "10.77.0.0"}, {}).get("name") == "lab",
          "the replayed change was not made again")
    two = req + json.dumps({"jsonrpc": "2.0", "id": 2, "method": "scope.set",
                            "params": {"subnet": "10.77.0.0", "name": "flipped"}}) + "\n"
    out = tamper(tmp, "flip", two)
    check('"result"' in out and "AFTER-FLIP" in out, "a session, then a flipped record: %s"
          % out)
    check(lk.wait_for(lambda: "refused mid-session: TLS: " in d.log(), 5),
          "the flipped record is refused and logged")
    check(d.result("scope.get", {"subnet": "10.77.0.0"}, {}).get("name") == "recorded",
          "the flipped request was not run")
    print("".join(x + "\n" for x in d.log().splitlines()[-400:] if "refused" in x and
                  ("TLS" in x) and "wrong version" not in x)[-600:], end="")
    check(d.call("server.status")[0] == "ok", "the Unix socket is served")
    check(adm.call("scope.set", {"subnet": "10.77.0.0", "name": "lab"})[0] == "ok",
          "another TLS client is served")
    with open(os.path.join(d.dir, "audit.log")) as f:
        names = [json.loads(x)["params"].get("name") for x in f if x.strip()]
    check(names.count("recorded") == 2 and "flipped" not in names,
          "the audit log: the recorded change once per real session, the flipped "
          "never: %s" % names)
    lease = lk.udhcpc(CLI, "lan1", tmp)
    check(lease is not None, "udhcpc gets a lease after the tampering: %r" % (lease,))


STALL = """
import socket, sys, time
def open_from(src, n):
    out = []
    for _ in range(n):
        out.append(socket.create_connection((%r, %d), source_address=(src, 0)))
    return out
a = open_from("10.88.0.3", 12)
print("A", flush=True)
sys.stdin.readline()
b = [open_from("10.88.0.%%d" %% h, 8) for h in (4, 5, 6)]
print("B", flush=True)
time.sleep(12)
""" % (SRV_IP, PORT)


def under_siege(d, tmp, adm):
    """Stalled connections: one host gets 8, all hosts 32; meanwhile DHCP,
    the socket and (while there is room) another host's TLS client go on."""
    p = subprocess.Popen(["ip", "netns", "exec", MGMT, sys.executable, "-c", STALL],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    check(p.stdout.readline().strip() == "A", "12 stalled connections from 10.88.0.3")
    time.sleep(0.3)
    check("connections from this address already (8)" in d.log(),
          "one address gets 8 connections, the rest refused and logged")
    r = adm.call("server.status")
    check(r[0] == "ok", "another host is served while one stalls: %r" % (r,))
    lease = lk.udhcpc(CLI, "lan1", tmp)
    check(lease is not None and lease[0].startswith("10.77.0."),
          "udhcpc gets a lease while TLS connections stall: %r" % (lease,))
    p.stdin.write("go\n")
    p.stdin.flush()
    check(p.stdout.readline().strip() == "B", "24 more from three other addresses")
    time.sleep(0.3)
    check(d.call("server.status")[0] == "ok", "the Unix socket answers with 32 stalled")
    r = adm.call("server.status")
    check(r[0] == "bad", "a 33rd TLS client is refused while 32 are open: %r" % (r,))
    check("connections already (32)" in d.log(), "the log says so")
    lease = lk.udhcpc(CLI, "lan1", tmp)
    check(lease is not None, "udhcpc gets a lease with 32 stalled: %r" % (lease,))
    p.wait(30)
    check(lk.wait_for(lambda: "no TLS handshake within 10 s" in d.log(), 5),
          "stalled handshakes time out and are logged")
    check(lk.wait_for(lambda: adm.call("server.status")[0] == "ok", 10),
          "remote clients are served again once they are gone")


def audit(d, tmp, toks):
    path = os.path.join(d.dir, "audit.log")
    text = open(path).read() if os.path.exists(path) else ""
    lines = [json.loads(x) for x in text.splitlines()]
    check(SECRET not in text, "no secret in the audit log")
    check(all(t not in text for t in toks.values()), "no token in the audit log")
    al = [x for x in lines if x["identity"] == "token alice (CN=viewer,O=Lab)"]
    check(len(al) == 1 and al[0]["method"] == "scope.set" and al[0]["result"] == 0,
          "a change by token audited with the token's name: %r" % al)
    check(os.stat(path).st_mode & 0o077 == 0, "the audit log is private")
    by = lambda m, who: [x for x in lines if x["method"] == m and who in x["identity"]]
    ops = "CN=ops,OU=admins,O=Lab"
    fc = [x for x in by("failover.create", ops) if x["result"] == 0]
    check(len(fc) == 1 and fc[0]["channel"] == "tls" and fc[0]["result"] == 0 and
          fc[0]["params"]["shared_secret"] == "***" and
          fc[0]["peer"].startswith(MGMT_IP + ":"),
          "failover.create audited with the admin's subject, peer, secret redacted: %r" % fc)
    check(len(by("scope.create", ops)) == 1, "scope.create audited")
    check(len(by("failover.delete", ops)) == 1, "failover.delete audited")
    check(len(by("failover.trigger_addr_allocation", ops)) == 2 and
          all(x["result"] == 20120 for x in by("failover.trigger_addr_allocation", ops)),
          "the rebalances audited with their result")
    den = by("scope.delete", "CN=viewer,O=Lab")
    check(len(den) == 1 and den[0]["result"] == 5, "the user's refused change audited: %r"
          % den)
    check(not [x for x in lines if x["method"] in ("scope.list", "server.status",
                                                   "failover.get")],
          "read-only calls are not audited")
    sock = by("scope.set", "uid 0")
    check(len(sock) == 1 and sock[0]["channel"] == "unix" and
          sock[0]["peer"].startswith("pid "), "a socket change audited with its uid: %r"
          % sock)


def tokens(tmp, d, toks):
    """A token gives its role: a DHCP User's certificate with alice's token
    changes, an admin's with bob's token may only read, a wrong token is 5."""
    usr = Remote(tmp, "viewer")
    rc, out, err = usr.run("scope", "set", "10.77.0.0", "--name", "by-alice",
                           env={"DHCPFOCTL_TOKEN": toks["alice"]})
    check(rc == 0, "user certificate + admin token changes: %d %s" % (rc, err))
    rc, out, err = Remote(tmp, "ops").run("scope", "set", "10.77.0.0", "--name", "x",
                                          env={"DHCPFOCTL_TOKEN": toks["bob"]})
    check(rc == 1 and "(5)" in err and "token bob" in err,
          "admin certificate + user token may not change: %d %s" % (rc, err))
    rc, out, err = usr.run("status", env={"DHCPFOCTL_TOKEN": "dfo_" + "0" * 64})
    check(rc == 1 and "(5)" in err and "not one of" in err, "a wrong token: %s" % err)
    r = d.call("session.auth", {"token": toks["alice"]})
    check(r[0] == "err" and r[1] == 87, "no tokens on the Unix socket: %r" % (r,))
    check("bearer token refused" in d.log(), "the wrong token is logged")


def config_file(tmp):
    """--server alone, cert, key and ca from ~/.config/dhcpfoctl/config."""
    home = os.path.join(tmp, "home")
    os.makedirs(os.path.join(home, ".config", "dhcpfoctl"))
    with open(os.path.join(home, ".config", "dhcpfoctl", "config"), "w") as f:
        f.write("cert = %s/ops.crt\nkey = %s/ops.key\nca = %s/ca.crt\n" % (tmp, tmp, tmp))
    rc, out, err = Remote(tmp, None).run("scope", "list", env={"HOME": home})
    check(rc == 0 and "by-alice" in out, "--server with the config file: %d %s" % (rc, err))
    with open(os.path.join(home, ".config", "dhcpfoctl", "config"), "a") as f:
        f.write("token = dfo_%s\n" % ("1" * 64))
    rc, out, err = Remote(tmp, None).run("scope", "list", env={"HOME": home})
    check(rc == 1 and "(5)" in err, "the config file's token is sent: %d %s" % (rc, err))
    with open(os.path.join(home, ".config", "dhcpfoctl", "config")) as f:
        kept = [x for x in f if not x.startswith("token")]
    with open(os.path.join(home, ".config", "dhcpfoctl", "config"), "w") as f:
        f.writelines(kept)
    with open(os.path.join(home, ".config", "dhcpfoctl", "config"), "a") as f:
        f.write("server = %s:%d\n" % (SRV_IP, PORT))
    p = subprocess.run(["ip", "netns", "exec", MGMT, lk.CTL, "--json", "status"],
                       capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, HOME=home))
    check(p.returncode == 0 and json.loads(p.stdout)["server_id"] == LAN_IP,
          "server from the config file: %s" % p.stderr)


def run(tmp):
    make_pki(tmp)
    toks = make_tokens(tmp)
    lab = lk.Lab(SRV, MGMT, CLI)
    try:
        lab_up(lab)
        d = lk.Dhcpfod(os.path.join(tmp, "srv"), ns=SRV)
        d.write_conf(conf_text(d, tmp))
        d.start()
        adm = Remote(tmp, "ops")
        families(adm)
        user_role(Remote(tmp, "viewer"), Remote(tmp, "nobody"))
        refusals(d, tmp)
        # the scope served alone again: no hash buckets left to the partner
        r = adm.call("failover.delete", {"name": "r1"})
        check(r[0] == "ok", "remote failover.delete: %r" % (r,))
        replayed_garbled(d, tmp, adm)
        # both servers at once needs this server's client certificate
        rc, out, err = adm.run("call", "failover.create", json.dumps(
            {"name": "rx", "primary_server": "10.66.0.1", "secondary_server": "10.66.0.2",
             "server_type": "primary", "scopes": ["10.77.0.0"],
             "partner_management": "10.88.0.9"}))
        check(rc == 1 and "(87)" in err and "client-certificate" in err and "--console"
              in err and d.call("failover.get", {"name": "rx"})[:2] == ("err", 20115),
              "partner_management without a client certificate: 87: %s" % err)
        under_siege(d, tmp, adm)
        check(d.call("scope.set", {"subnet": "10.77.0.0", "name": "lab-2"})[0] == "ok",
              "a change through the Unix socket")
        lease = lk.udhcpc(CLI, "lan1", tmp)
        check(lease is not None, "udhcpc gets a lease afterwards: %r" % (lease,))
        tokens(tmp, d, toks)
        config_file(tmp)
        audit(d, tmp, toks)
        check(d.stop() == 0, "dhcpfod exits 0 on SIGTERM")
        if lk.failed:
            print("---- dhcpfod log (tail) ----\n" + d.log()[-3000:])
    finally:
        lab.down()
    check(lab.left() == [], "the namespaces are gone")


def main():
    if os.geteuid() != 0:
        print("SKIP: remote_test needs root for network namespaces")
        return 77
    for tool in ("openssl", "busybox"):
        if shutil.which(tool) is None:
            print("SKIP: %s is missing (scripts/install-deps installs it)" % tool)
            return 77
    lk.exit_on_sigterm(1)
    with tempfile.TemporaryDirectory(prefix="dhcpfod-remote.") as tmp:
        os.chmod(tmp, 0o755)
        run(tmp)
    return lk.report("remote")


if __name__ == "__main__":
    sys.exit(main())
