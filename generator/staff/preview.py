"""`wlsite serve`: build, serve on 127.0.0.1 for preview, and rebuild when data/ changes.

The preview is built like the real site (same pipeline, same cache), into its own folder; the
atomic swap means the server always has a complete site to serve. A rebuild that fails prints
its located problems and keeps serving the last good preview.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from generator.build import BuildConfig, build
from generator.errors import BuildError, InputError
from generator.staff.rounds import round_status


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when staff save a file in the folder."""
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            info = path.stat()
            entries.append((path.relative_to(folder).as_posix(), info.st_size, info.st_mtime_ns))
    return tuple(entries)


def serve(
    data_dir: Path,
    port: int,
    cache_dir: Path,
    today: Callable[[], date],
    say: Callable[[str], None],
    stop: threading.Event | None = None,
    interval: float = 1.0,
) -> None:
    """Serve the preview until `stop` is set (or the process is interrupted)."""
    out = cache_dir / "preview" / "site"
    stop = stop or threading.Event()

    def rebuild() -> bool:
        try:
            report = build(BuildConfig(data_dir=data_dir, out_dir=out, today=today(), cache_dir=cache_dir))
        except InputError as error:
            for problem in error.problems:
                say(str(problem))
            say("数据有错误：预览保持上一次的内容。改正后保存，会自动重新生成。")
            return False
        except BuildError as error:
            say(f"生成失败：{error}")
            return False
        say(f"已生成预览（用时 {report.seconds:.1f} 秒）。")
        on = today()
        for state in round_status(data_dir, on):
            if state.approved and on < state.schedule.start:
                start = state.schedule.start
                say(
                    f"{state.schedule.round.title}的公示从 {start} 起才发布，今天的预览里还没有它；"
                    f"要预览公示当天的网站，运行 wlsite serve --today {start}"
                )
        return True

    rebuild()
    out.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(_QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    say(f"预览地址：http://127.0.0.1:{server.server_address[1]}/  （只在本机可见）")
    say(f"修改 {data_dir} 中的文件并保存后会自动重新生成；按 Ctrl+C 退出。")
    seen = fingerprint(data_dir)
    try:
        while not stop.wait(interval):
            current = fingerprint(data_dir)
            if current != seen:
                seen = current
                say("检测到数据变化，正在重新生成……")
                rebuild()
    finally:
        server.shutdown()
        server.server_close()
