"""A static server for browser tests: 127.0.0.1 only, the site under a URL prefix, 404.html for
anything missing (as a web server configured for the site would). Run by tests as a subprocess.

    python -m tests.serve SITE_DIR PORT PREFIX
"""

from __future__ import annotations

import http.server
import sys
from functools import partial
from pathlib import Path


class Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__missing__")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    site, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    Handler.prefix = prefix if prefix.endswith("/") else prefix + "/"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(Handler, directory=site))
    server.serve_forever()


if __name__ == "__main__":
    main()
