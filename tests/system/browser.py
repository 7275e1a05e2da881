# SPDX-License-Identifier: MIT
"""A page in a real browser: headless Chromium (Debian package `chromium`)
driven over the DevTools protocol on a pipe (--remote-debugging-pipe: the
browser reads commands on fd 3 and writes answers and events on fd 4, each
message JSON followed by a NUL byte), with nothing but the standard library.

    with Browser(tmp_path) as b:
        page = b.load(path)          # console errors and exceptions collected
        page.eval("document.title")  # a JavaScript value, by value
        page.errors                  # ["console error: ...", "exception: ..."]
"""

import json
import os
import select
import shutil
import subprocess
import time

import pytest

# This machine's network is closed: without these Chromium stalls on
# start-up, fetching components and field trials that never come.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe")
TIMEOUT = 60


def need_chromium():
    exe = shutil.which("chromium")
    if not exe:
        pytest.fail("chromium not found: install the Debian package chromium "
                    "(scripts/install-deps)", pytrace=False)
    return exe


class Page:
    def __init__(self, browser, session):
        self.browser = browser
        self.session = session
        self.errors = []

    def eval(self, expression):
        """The value of a JavaScript expression in the page (JSON-able)."""
        res = self.browser.call("Runtime.evaluate", {"expression": expression,
                                                     "returnByValue": True},
                                session=self.session)
        if "exceptionDetails" in res:
            raise AssertionError("%s: %s" % (expression, res["exceptionDetails"]))
        return res["result"].get("value")


class Browser:
    def __init__(self, workdir):
        exe = need_chromium()
        profile = workdir / "chromium-profile"
        profile.mkdir(parents=True)
        cmd_r, cmd_w = os.pipe()    # we write commands, it reads them on fd 3
        ev_r, ev_w = os.pipe()      # it writes on fd 4, we read

        def fds():
            os.dup2(cmd_r, 3)
            os.dup2(ev_w, 4)

        self.log = open(workdir / "chromium.log", "wb")
        self.proc = subprocess.Popen(
            [exe] + list(FLAGS) + ["--user-data-dir=%s" % profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            pass_fds=(3, 4), preexec_fn=fds)
        os.close(cmd_r)
        os.close(ev_w)
        self.out = os.fdopen(cmd_w, "wb")
        self.inp = ev_r
        self.buf = b""
        self.next_id = 0
        self.pages = {}       # session id -> Page, for their events

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", {})
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.out.close()
        os.close(self.inp)
        self.log.close()

    def send(self, method, params, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.out.write(json.dumps(msg).encode() + b"\0")
        self.out.flush()
        return self.next_id

    def _read(self, deadline):
        """The next message, or an AssertionError at the deadline."""
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.inp], [], [], left)[0]:
                raise AssertionError("chromium: no answer within %d s" % TIMEOUT)
            chunk = os.read(self.inp, 65536)
            if not chunk:
                raise AssertionError("chromium exited (%s)" % self.proc.poll())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def _event(self, msg):
        """Console errors, uncaught exceptions and error log entries of a page."""
        page = self.pages.get(msg.get("sessionId"))
        if not page:
            return
        p = msg.get("params", {})
        if msg["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            page.errors.append("console %s: %s" % (p["type"], " ".join(
                str(a.get("value", a.get("description", ""))) for a in p["args"])))
        elif msg["method"] == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            page.errors.append("exception: %s" % d.get("exception", {}).get(
                "description", d.get("text")))
        elif msg["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
            page.errors.append("log %s: %s" % (p["entry"]["source"], p["entry"]["text"]))

    def call(self, method, params, session=None):
        """Sends a command and waits for its answer, handling events."""
        mid = self.send(method, params, session)
        return self.wait(lambda m: m.get("id") == mid)["result"]

    def wait(self, match):
        deadline = time.monotonic() + TIMEOUT
        while True:
            msg = self._read(deadline)
            if "method" in msg:
                self._event(msg)
            if "error" in msg and msg.get("id") is not None:
                raise AssertionError("chromium: %s" % msg["error"])
            if match(msg):
                return msg

    def load(self, path):
        """Opens file `path` in a new tab; returns its Page once loaded."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        page = Page(self, session)
        self.pages[session] = page
        for domain in ("Runtime", "Log", "Page"):
            self.call(domain + ".enable", {}, session=session)
        self.call("Page.navigate", {"url": "file://%s" % os.path.abspath(path)},
                  session=session)
        self.wait(lambda m: m.get("method") == "Page.loadEventFired"
                  and m.get("sessionId") == session)
        # Whatever the page logs while it settles arrives before this answer.
        page.eval("1")
        return page
