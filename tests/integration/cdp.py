"""Headless Chromium driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: the browser reads commands on fd 3 and writes
answers and events on fd 4, each message JSON ended by a NUL byte), so a test
can type into a page and press its buttons with real input events. Stdlib
only; one page per Browser.

  b = Browser(ns, tmp, ["--ignore-certificate-errors"])
  b.goto(url); b.wait_js("document.title != ''", 10)
  b.click("button.rebalance"); b.type_into("#token", "secret")
  b.screenshot(path); b.close()
"""
import base64
import fcntl
import json
import os
import select
import subprocess
import tempfile
import time

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1200,760"]


class Browser:
    def __init__(self, ns, tmp, extra=(), timeout=60, prefs=None, env=None):
        to_r, self._w = os.pipe()       # commands: we write, the browser reads fd 3
        self._r, from_w = os.pipe()     # answers: the browser writes fd 4
        prof = tempfile.mkdtemp(prefix="chromium.", dir=tmp)
        if prefs is not None:           # the profile's Preferences, before the start
            os.makedirs(os.path.join(prof, "Default"))
            with open(os.path.join(prof, "Default", "Preferences"), "w") as f:
                json.dump(prefs, f)

        def fds():
            a = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)
        cmd = ["ip", "netns", "exec", ns] if ns else []
        cmd += ["nice", "-n", "10", "chromium"] + ARGS + list(extra) + \
            ["--remote-debugging-pipe", "--user-data-dir=" + prof, "about:blank"]
        self.proc = subprocess.Popen(cmd, preexec_fn=fds, pass_fds=(3, 4), env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self._buf, self._id, self.timeout = b"", 0, timeout
        self.session = None
        tid = next(t["targetId"] for t in self.send("Target.getTargets")["targetInfos"]
                   if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", targetId=tid,
                                 flatten=True)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def _read_msg(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise TimeoutError("chromium: no answer")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise EOFError("chromium exited")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, **params):
        """One command: its result (events in between are dropped)."""
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            m = self._read_msg(deadline)
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})

    def js(self, expr):
        """The value of a JavaScript expression (promises awaited)."""
        r = self.send("Runtime.evaluate", expression=expr, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("js %s: %s" % (expr, r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def wait_js(self, expr, secs, step=0.25):
        """Poll expr until truthy: its value, or None after secs."""
        end = time.monotonic() + secs
        while time.monotonic() < end:
            try:
                v = self.js(expr)
                if v:
                    return v
            except RuntimeError:
                pass
            time.sleep(step)
        return None

    def goto(self, url):
        self.send("Page.navigate", url=url)

    def _center(self, selector):
        r = self.js("(() => { const e = document.querySelector(%s); if (!e) return null;"
                    " e.scrollIntoView(); const r = e.getBoundingClientRect();"
                    " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
                    % json.dumps(selector))
        if not r:
            raise RuntimeError("no element %s" % selector)
        return r

    def click(self, selector):
        """A left click with the mouse in the middle of the element."""
        x, y = self._center(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)

    def type_into(self, selector, text):
        """Click into a field, then type text as the keyboard would insert it."""
        self.click(selector)
        self.send("Input.insertText", text=text)

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, EOFError, OSError):
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass
