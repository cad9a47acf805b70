"""Give the browser tests a Chromium and a video encoder, on any machine.

Where apt-get works as root (CI, these machines) Debian's chromium and ffmpeg are used;
Playwright's own downloads are not reachable there. Elsewhere (a developer's laptop)
`playwright install` fetches them as usual.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import playwright

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")


def playwright_ffmpeg_path() -> Path:
    """Where this Playwright version looks for its ffmpeg build."""
    browsers = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    revision = next(b["revision"] for b in json.loads(browsers.read_text())["browsers"] if b["name"] == "ffmpeg")
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache" / "ms-playwright"))
    return cache / f"ffmpeg-{revision}" / "ffmpeg-linux"


def can_apt() -> bool:
    return shutil.which("apt-get") is not None and os.geteuid() == 0


def apt_install(*packages: str) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env, stdout=subprocess.DEVNULL)


def main() -> int:
    wanted = [pkg for pkg, binary in (("chromium", DEBIAN_CHROMIUM), ("ffmpeg", Path("/usr/bin/ffmpeg")))
              if not binary.exists()]
    if wanted and can_apt():
        apt_install(*wanted)
    if not DEBIAN_CHROMIUM.exists():
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)
    target = playwright_ffmpeg_path()
    system_ffmpeg = shutil.which("ffmpeg")
    if not target.exists():
        if system_ffmpeg:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(system_ffmpeg)
        else:
            # Videos of failures are a nicety: a machine without ffmpeg still runs the tests.
            subprocess.run([sys.executable, "-m", "playwright", "install", "ffmpeg"], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
