#!/usr/bin/env python3
"""A failover secondary whose disk fails sends no BNDACK (draft-12 §7.2: a
binding is acknowledged once it is on stable storage), and catches up by
itself once the disk works again.

The lab of failover_test.py (primary A, secondary B, clients in C, all in
network namespaces this test creates and always removes); B runs with the
faultfs LD_PRELOAD shim. Once the pair is NORMAL and balanced, B's database
writes fail with EIO while perfdhcp takes leases from A: A sends binding
updates and receives no BNDACK (A's debug log), B says its storage fails.
Then the faults stop: B recovers without a restart, the pair is NORMAL, every
update is acknowledged and both lease tables agree.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import failover_test as fo
import labkit as lk
from failover_test import NS_A, NS_B, NS_C, LOAD
from labkit import check, wait_for

SHIM = os.path.join(lk.BUILD, "tests", "faultfs.so")


class FaultyServer(fo.Server):
    """A Server started with the shim, its faults switched by the file self.fault."""

    def __init__(self, *args):
        super().__init__(*args)
        self.fault = os.path.join(self.dir, "fault")

    def start(self):
        env = dict(os.environ, LD_PRELOAD=SHIM, DFO_FAULT_CTL=self.fault,
                   DFO_FAULT_PATH=os.path.join(self.dir, "db.sqlite"))
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":verify_asan_link_order=0").lstrip(":")
        super().start(env=env)

    def storage(self):
        r = self.call("server.status")
        return r[1]["storage"] if r[0] == "ok" else {}


def unacked(a):
    return a.rel().get("unacked_updates", -1)


def run(a, b):
    fo.setup(a, b)
    check(wait_for(lambda: fo.both_state(a, b, "NORMAL"), 60),
          "both reach NORMAL (A %s, B %s)" % (a.rel().get("state"), b.rel().get("state")))
    check(wait_for(lambda: unacked(a) == 0, 30),
          "the balancing is acknowledged (unacked %d)" % unacked(a))
    mark = len(a.log())
    with open(b.fault, "w") as f:
        f.write("write\n")
    load = subprocess.run(["ip", "netns", "exec", NS_C, "perfdhcp", "-4", "-l",
                           "10.78.0.3", "-r", "200", "-R", "2000", "-p", "3",
                           "10.77.0.1"], capture_output=True, text=True, timeout=40)
    time.sleep(1)
    during = a.log()[mark:]
    granted = len([l for l in a.leases(LOAD) if l["state"] == "ACTIVE"])
    check(granted > 0, "A granted leases while B's disk failed: %d (perfdhcp: %s)" % (
        granted, load.stdout[-300:]))
    check("sent BNDUPD" in during, "A sent binding updates while B's disk failed")
    check("received BNDACK" not in during,
          "B sent no BNDACK while its disk failed: %s" % [
              l for l in during.splitlines() if "received BNDACK" in l][:3])
    st = b.storage()
    check(st.get("ok") is False and st.get("kind") == "io_error",
          "B's server.status says its storage fails: %r" % st)
    check("storage failing: I/O error" in b.log(), "B logs the failure")
    os.unlink(b.fault)
    check(wait_for(lambda: b.storage().get("ok") is True, 15),
          "B's storage recovers by itself: %r" % b.storage())
    check(wait_for(lambda: fo.both_state(a, b, "NORMAL"), 60),
          "NORMAL again (A %s, B %s)" % (a.rel().get("state"), b.rel().get("state")))
    check(wait_for(lambda: unacked(a) == 0, 30),
          "every update is acknowledged once B's disk works (unacked %d)" % unacked(a))
    check("received BNDACK" in a.log()[mark:], "B acknowledges once its disk works")
    check(wait_for(lambda: fo.tables_agree(a, b), 30) or
          fo.tables_agree(a, b, True), "both lease tables agree")


def main():
    if os.geteuid() != 0:
        print("disk failover: SKIP: needs root for network namespaces")
        return 77
    for c in ("busybox", "perfdhcp"):
        if shutil.which(c) is None:
            print("disk failover: SKIP: %s missing: run scripts/install-deps" % c)
            return 77
    if not os.path.exists(SHIM):
        print("disk failover: FAIL: %s missing (make check builds it)" % SHIM)
        return 1
    tmp = tempfile.mkdtemp(prefix="dfo-diskfo.")
    lk.exit_on_sigterm(130)
    a = b = None
    try:
        fo.lab_up()
        a = fo.Server(tmp, "A", NS_A, "la", "10.99.0.1:647")
        b = FaultyServer(tmp, "B", NS_B, "lb", "10.99.0.2:647")
        a.start()
        b.start()
        run(a, b)
    except Exception as e:      # a broken lab is a failure, not a crash
        check(False, "exception: %r" % (e,))
    finally:
        lk.show_logs((a, b), 6000)
        fo.LAB.close(tmp)
    return lk.report("disk failover")


if __name__ == "__main__":
    sys.exit(main())
