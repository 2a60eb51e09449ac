#!/usr/bin/env python3
"""A population of DHCPv4 clients behind one relay agent, for the chaos suite.

Runs inside the clients' network namespace. Every client is a small RFC 2131
state machine (INIT, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING,
INIT-REBOOT); between leases a client may stay away, release, decline or
vanish without a word and come back later asking for its old address.

The relay agent (RFC 2131 §4.1, RFC 1542) is part of this process: every
message a client broadcasts goes to both servers with giaddr set, as a relay
agent configured with both partners forwards it; replies to giaddr come back
to the client by hardware address. Messages a client unicasts (a renewal, a
release) go straight to the server from the client's own address, as a real
client's would: the namespace has the whole client range as local addresses.

Every event is one JSON line in the log (see EVENTS); the checker reads only
that log. Commands on stdin: "pause" (send nothing, timers wait), "resume",
"quit".
"""
import argparse
import heapq
import json
import os
import random
import select
import socket
import struct
import sys
import time

MAGIC = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE = 1, 2, 3, 4, 5, 6, 7
IP_PKTINFO = 8

# EVENTS (field "ev"):
#   ack    mac ip lease sent srv kind  a DHCPACK: the client holds ip from now
#                                      until sent + lease ("kind": select,
#                                      renew, rebind, reboot)
#   drop   mac ip why                  the client stops using ip (release,
#                                      decline, nak, expired, reboot-failed)
#   dora   mac ok                      one DISCOVER..ACK attempt and its outcome
#   vanish mac                         the client goes silent, lease kept


def pack(op_type, xid, mac, ciaddr="0.0.0.0", giaddr="0.0.0.0", flags=0, hops=0,
         opts=(), secs=0):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, hops, xid, min(secs, 65535),
                      flags,
                      socket.inet_aton(ciaddr), b"\0" * 4, b"\0" * 4,
                      socket.inet_aton(giaddr), mac + b"\0" * 10, b"", b"")
    body = bytes([53, 1, op_type])
    for code, val in opts:
        body += bytes([code, len(val)]) + val
    return hdr + MAGIC + body + b"\xff"


def unpack(data):
    if len(data) < 240 or data[236:240] != MAGIC:
        return None
    xid = struct.unpack("!I", data[4:8])[0]
    yiaddr = socket.inet_ntoa(data[16:20])
    mac = data[28:34]
    opts, i = {}, 240
    while i < len(data):
        code = data[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            return None
        n = data[i + 1]
        opts[code] = data[i + 2:i + 2 + n]
        i += 2 + n
    if 53 not in opts or len(opts[53]) != 1:
        return None
    return {"type": opts[53][0], "xid": xid, "yiaddr": yiaddr, "mac": mac,
            "opts": opts}


def u32(b, default):
    return struct.unpack("!I", b)[0] if b and len(b) == 4 else default


class Client:
    def __init__(self, sim, idx):
        self.sim, self.idx = sim, idx
        self.mac = bytes([0x02, 0xca, 0x05, 0x00, idx >> 8, idx & 0xff])
        self.hw = ":".join("%02x" % b for b in self.mac)
        self.state = "IDLE"
        self.ip = None          # the address held, if any
        self.srv = None         # the server that granted it
        self.end = 0.0          # when the lease runs out (client's clock)
        self.t1 = self.t2 = 0.0
        self.offer = None
        self.xid = 0
        self.sent = 0.0
        self.tries = 0
        self.gen = 0            # invalidates timers of an earlier state
        self.began = 0.0        # when the current exchange began (secs field)

    # -- timers --------------------------------------------------------------
    def at(self, when, fn):
        self.sim.schedule(when, self, self.gen, fn)

    def goto(self, state):
        self.state = state
        self.gen += 1

    # -- life cycle ----------------------------------------------------------
    def start(self):
        self.goto("IDLE")
        first = self.sim.rng.uniform(0, 8) if self.idx % 3 else self.away()
        self.at(time.time() + first, self.wake)

    def away(self):
        """How long a client that left stays away: about as many clients
        want an address as there are addresses, so that the pool is full
        at times and has room at others."""
        return self.sim.rng.uniform(10, 110)

    def wake(self):
        if self.ip and self.end > time.time() + 1:
            self.init_reboot()
        else:
            self.lose("expired")
            self.discover()

    def discover(self):
        self.goto("SELECTING")
        self.xid = self.sim.rng.getrandbits(32)
        self.tries = 0
        self.began = time.time()
        self.send_discover()

    def secs(self):
        """RFC 2131 §4.1: seconds since the client began acquiring a lease."""
        return int(time.time() - self.began)

    def send_discover(self):
        # four tries, 1, 2 and 3 s apart; secs grows so that a partner's
        # load_balance_max_seconds can answer a client its peer leaves waiting
        if self.tries >= 4:
            return self.dora_failed()
        self.tries += 1
        self.sim.relay(pack(DISCOVER, self.xid, self.mac, secs=self.secs()))
        self.at(time.time() + self.tries, self.send_discover)

    def dora_failed(self):
        self.sim.log(ev="dora", mac=self.hw, ok=False)
        self.goto("IDLE")
        self.at(time.time() + self.sim.rng.uniform(3, 15), self.discover)

    def on_offer(self, m):
        if self.state != "SELECTING" or m["xid"] != self.xid:
            return
        sid = m["opts"].get(54)
        if not sid:
            return
        self.offer = (m["yiaddr"], sid)
        self.goto("REQUESTING")
        self.tries = 0
        self.send_select()

    def send_select(self):
        if self.tries >= 3:
            return self.dora_failed()
        self.tries += 1
        ip, sid = self.offer
        self.sent = time.time()
        self.sim.relay(pack(REQUEST, self.xid, self.mac, secs=self.secs(),
                            opts=[(50, socket.inet_aton(ip)), (54, sid)]))
        self.at(time.time() + 1.5, self.send_select)

    def init_reboot(self):
        """RFC 2131 §3.2: back after a reboot, ask for the address still held."""
        self.goto("REBOOTING")
        self.xid = self.sim.rng.getrandbits(32)
        self.tries = 0
        self.began = time.time()
        self.send_reboot()

    def send_reboot(self):
        if self.tries >= 2:
            # no answer: the lease is not confirmed; give it up and start over
            self.lose("reboot-failed")
            return self.discover()
        self.tries += 1
        self.sent = time.time()
        self.sim.relay(pack(REQUEST, self.xid, self.mac, secs=self.secs(),
                            opts=[(50, socket.inet_aton(self.ip))]))
        self.at(time.time() + 1.5, self.send_reboot)

    def renew(self):
        """RFC 2131 §4.4.5: T1, unicast to the server that granted the lease."""
        if self.state not in ("BOUND", "RENEWING"):
            return
        if self.state == "BOUND":
            self.goto("RENEWING")
            self.xid = self.sim.rng.getrandbits(32)
            self.at(self.t2, self.rebind)
            self.at(self.end, self.expire)
        self.sent = time.time()
        self.sim.unicast(self.ip, self.srv, pack(REQUEST, self.xid, self.mac,
                                                 ciaddr=self.ip))
        nxt = time.time() + max(2.0, (self.t2 - time.time()) / 2)
        if nxt < self.t2:
            self.at(nxt, self.renew)

    def rebind(self):
        """T2: broadcast (relayed to both servers)."""
        if self.state not in ("RENEWING", "REBINDING"):
            return
        if self.state == "RENEWING":
            self.goto("REBINDING")
            self.at(self.end, self.expire)
        self.sent = time.time()
        self.sim.relay(pack(REQUEST, self.xid, self.mac, ciaddr=self.ip))
        nxt = time.time() + 2
        if nxt < self.end:
            self.at(nxt, self.rebind)

    def expire(self):
        self.lose("expired")
        self.discover()

    def lose(self, why):
        if self.ip:
            self.sim.log(ev="drop", mac=self.hw, ip=self.ip, why=why)
        self.ip = self.srv = None

    def on_ack(self, m):
        if m["xid"] != self.xid or self.state not in (
                "REQUESTING", "REBOOTING", "RENEWING", "REBINDING"):
            return
        ip = m["yiaddr"]
        lease = u32(m["opts"].get(51), 0)
        sid = m["opts"].get(54)
        kind = {"REQUESTING": "select", "REBOOTING": "reboot", "RENEWING": "renew",
                "REBINDING": "rebind"}[self.state]
        if self.ip and self.ip != ip:
            self.lose("moved")
        if kind == "select":
            self.sim.log(ev="dora", mac=self.hw, ok=True)
        self.ip, self.srv = ip, socket.inet_ntoa(sid) if sid else None
        self.end = self.sent + lease
        self.t1 = self.sent + u32(m["opts"].get(58), lease // 2)
        self.t2 = self.sent + u32(m["opts"].get(59), lease * 7 // 8)
        self.sim.log(ev="ack", mac=self.hw, ip=ip, lease=lease, sent=self.sent,
                     srv=self.srv, kind=kind)
        self.goto("BOUND")
        r = self.sim.rng.random()
        # rare: a declined address stays ABANDONED for a day
        if kind == "select" and self.sim.rng.random() < 0.003:
            return self.decline()
        # what the client does next: renew at T1, or leave before it
        if r < 0.10:
            self.at(time.time() + self.sim.rng.uniform(0, self.t1 - time.time()),
                    self.release)
        elif r < 0.16:
            self.at(time.time() + self.sim.rng.uniform(0, self.t1 - time.time()),
                    self.vanish)
        else:
            self.at(self.t1, self.renew)
            self.at(self.end, self.expire)

    def on_nak(self, m):
        if m["xid"] != self.xid or self.state not in (
                "REQUESTING", "REBOOTING", "RENEWING", "REBINDING"):
            return
        self.lose("nak")
        if self.state == "REQUESTING":
            self.sim.log(ev="dora", mac=self.hw, ok=False)
        self.goto("IDLE")
        self.at(time.time() + self.sim.rng.uniform(0.5, 2), self.discover)

    def decline(self):
        ip, srv = self.ip, self.srv
        self.lose("decline")
        self.sim.relay(pack(DECLINE, self.sim.rng.getrandbits(32), self.mac,
                            opts=[(50, socket.inet_aton(ip)),
                                  (54, socket.inet_aton(srv))]))
        self.goto("IDLE")
        self.at(time.time() + 3, self.discover)

    def release(self):
        if self.state != "BOUND" or not self.ip:
            return
        ip, srv = self.ip, self.srv
        self.lose("release")
        self.sim.unicast(ip, srv, pack(RELEASE, self.sim.rng.getrandbits(32),
                                       self.mac, ciaddr=ip,
                                       opts=[(54, socket.inet_aton(srv))]))
        self.goto("IDLE")
        self.at(time.time() + self.away(), self.discover)

    def vanish(self):
        """Silent: the lease stays the client's until it ends; back later."""
        if self.state != "BOUND":
            return
        self.sim.log(ev="vanish", mac=self.hw)
        self.goto("IDLE")
        self.at(time.time() + self.sim.rng.uniform(3, 40), self.wake)


class Sim:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.servers = args.servers.split(",")
        self.giaddr = args.relay
        self.logf = open(args.log, "a", buffering=1)
        self.paused = False
        self.heap, self.seq = [], 0
        self.relay_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.relay_sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.relay_sock.bind((self.giaddr, 67))
        self.cli_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.cli_sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.cli_sock.bind(("0.0.0.0", 68))
        self.clients = [Client(self, i) for i in range(args.clients)]
        self.by_mac = {c.mac: c for c in self.clients}

    def log(self, **ev):
        ev["t"] = round(time.time(), 3)
        self.logf.write(json.dumps(ev, sort_keys=True) + "\n")

    def schedule(self, when, client, gen, fn):
        self.seq += 1
        heapq.heappush(self.heap, (when, self.seq, client, gen, fn))

    def relay(self, pkt):
        """The relay agent: hops 1, giaddr ours, to every configured server."""
        pkt = pkt[:3] + b"\x01" + pkt[4:24] + socket.inet_aton(self.giaddr) + pkt[28:]
        for s in self.servers:
            try:
                self.relay_sock.sendto(pkt, (s, 67))
            except OSError:
                pass

    def unicast(self, src, dst, pkt):
        if not dst:
            return
        info = struct.pack("=I4s4s", 0, socket.inet_aton(src), b"\0" * 4)
        try:
            self.cli_sock.sendmsg([pkt], [(socket.IPPROTO_IP, IP_PKTINFO, info)],
                                  0, (dst, 67))
        except OSError:
            pass

    def receive(self, sock):
        try:
            data = sock.recv(4096)
        except OSError:
            return
        m = unpack(data)
        c = self.by_mac.get(m["mac"]) if m else None
        if not c:
            return
        if m["type"] == OFFER:
            c.on_offer(m)
        elif m["type"] == ACK:
            c.on_ack(m)
        elif m["type"] == NAK:
            c.on_nak(m)

    def command(self):
        line = sys.stdin.readline()
        if not line or line.strip() == "quit":
            return False
        cmd = line.strip()
        if cmd == "pause":
            self.paused = True
        elif cmd == "resume":
            self.paused = False
        self.log(ev=cmd)
        return True

    def run(self):
        for c in self.clients:
            c.start()
        self.log(ev="start", clients=len(self.clients))
        while True:
            now = time.time()
            while self.heap and self.heap[0][0] <= now and not self.paused:
                _, _, c, gen, fn = heapq.heappop(self.heap)
                if gen == c.gen:
                    fn()
            # a lease runs out even while paused; the client then waits
            for c in self.clients:
                if self.paused and c.ip and c.end <= now:
                    c.lose("expired")
                    c.goto("IDLE")
                    c.at(now, c.discover)
            wait = 0.5 if not self.heap else max(0.0, min(0.5, self.heap[0][0] - now))
            r, _, _ = select.select([self.relay_sock, self.cli_sock, sys.stdin], [], [],
                                    wait)
            for s in r:
                if s is sys.stdin:
                    if not self.command():
                        self.log(ev="quit")
                        return
                else:
                    self.receive(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--relay", default="10.96.0.1")
    ap.add_argument("--servers", default="10.97.1.1,10.97.2.1")
    Sim(ap.parse_args()).run()


if __name__ == "__main__":
    main()
