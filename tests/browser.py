"""Open a local HTML file in headless Chromium and report what a reader would see.

Drives Chromium over its DevTools protocol (a WebSocket, ``websocket-client``):
loads the page, collects console errors and uncaught exceptions, checks that
every image has loaded, and takes a screenshot. Tests call :func:`chromium` and
skip with the reason when no Chromium is installed (``apt-get install chromium``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@dataclass
class Loaded:
    title: str
    images: list[dict]  # src prefix, complete, naturalWidth, naturalHeight
    errors: list[str] = field(default_factory=list)
    height: int = 0


def chromium() -> str:
    """The Chromium executable, or skip the test saying why."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (apt-get install chromium)")


def open_page(page: Path, screenshot: Path | None = None, timeout: float = 90.0) -> Loaded:
    """Load ``page`` (a local file) in headless Chromium; see the module docstring."""
    import websocket

    exe = chromium()
    profile = Path(tempfile.mkdtemp(prefix="govopen-chromium-"))
    proc = subprocess.Popen(
        [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--remote-debugging-port=0", f"--user-data-dir={profile}",
         "--window-size=1280,1600", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port = _port(profile, proc, timeout)
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                                    timeout=timeout).read())
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        try:
            return _drive(ws, page, screenshot, timeout)
        finally:
            ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _port(profile: Path, proc: subprocess.Popen, timeout: float) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with status {proc.returncode}")
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")


class _Session:
    def __init__(self, ws) -> None:
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.events.append(json.loads(self.ws.recv()))


def _drive(ws, page: Path, screenshot: Path | None, timeout: float) -> Loaded:
    s = _Session(ws)
    for domain in ("Page", "Runtime", "Log"):
        s.call(f"{domain}.enable")
    s.call("Page.navigate", url=page.resolve().as_uri())
    s.wait_for("Page.loadEventFired", timeout)
    state = s.call("Runtime.evaluate", returnByValue=True, expression="""JSON.stringify({
        title: document.title,
        height: document.documentElement.scrollHeight,
        images: Array.from(document.images).map(i => ({src: i.src.slice(0, 30),
            complete: i.complete, naturalWidth: i.naturalWidth,
            naturalHeight: i.naturalHeight}))})""")
    info = json.loads(state["result"]["value"])
    if screenshot is not None:
        import base64
        shot = s.call("Page.captureScreenshot", format="png")
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    errors = []
    for e in s.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.exceptionThrown":
            errors.append(p["exceptionDetails"].get("text", "exception"))
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                   for a in p.get("args", [])))
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            errors.append(p["entry"].get("text", ""))
    return Loaded(info["title"], info["images"], errors, info["height"])
