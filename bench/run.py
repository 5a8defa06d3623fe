"""Build speed at county and province scale. Prints a table; asserts nothing (not a test).

    make bench                                    # N = 300 and N = 10,000
    .venv/bin/python -m bench.run --sizes 300     # just one size

For each size, on a synthetic register (bench/synthetic.py) in a scratch folder:

- cold build (empty cache), no-op rebuild, and rebuild after one new round of 50 enterprises;
- peak memory of the whole process tree (PSS and RSS sums from /proc), search-index size;
- PDF throughput of our pool against the naive baseline (serial WeasyPrint, a fresh
  FontConfiguration and stylesheet parse per document), on the same documents, and the mean
  certificate and the site's size against WeasyPrint's own PDFs (fonts not compacted);
- a plain `mkdocs build` of the same docs, against our build's engine time;
- the directory filter's response to one keystroke in Chromium, with every listed enterprise,
  at desktop and phone widths;
- `wlsite check` at that size, and Excel import of the register's own export (nothing to write)
  and of the export with 50 new rows, beside a ruamel.yaml round trip of the whole register.

Before the sizes: how long commands that build nothing take to start, on the sample data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from bench.synthetic import register_yaml
from generator.build import BuildConfig, BuildReport, build, plan_site, site_facts
from generator.cli import tune_collector
from generator.inputs import load_inputs
from generator.model.search import search_words
from generator.model.site import gather
from generator.render import kit, notices
from generator.render.pdf import iter_pdfs
from generator.render.registry import Job, Run, render_jobs

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 28)
# The round is built on the next working day, as a clerk would: nothing it reuses may depend on the
# build date being the same.
ROUND_DAY = date(2026, 11, 30)
ROUND = 50


@dataclass
class Row:
    label: str
    ours: str
    baseline: str = ""
    ratio: str = ""


@dataclass
class Result:
    size: int
    rows: list[Row] = field(default_factory=list)

    def add(self, label: str, ours: str, baseline: str = "", ratio: str = "") -> None:
        self.rows.append(Row(label, ours, baseline, ratio))
        print(f"  {label:<42} {ours:>14} {baseline:>14} {ratio:>9}", flush=True)


def _tree_memory(pid: int) -> tuple[int, int]:
    """Resident and proportional memory (RSS, PSS) of a process and all its descendants, in bytes.

    The RSS sum counts a page shared by the forked PDF workers and their parent once per process;
    the PSS sum divides each shared page among its sharers, so it is what the tree really holds.
    """
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                for line in handle:
                    key, _, value = line.partition(":")
                    if key == "Rss":
                        rss += int(value.split()[0]) * 1024
                    elif key == "Pss":
                        pss += int(value.split()[0]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return rss, pss


@contextmanager
def peak_memory() -> Iterator[dict[str, int]]:
    """Sample the process tree's memory every 200 ms; the dict holds the peak "rss" and "pss" sums."""
    peak = {"rss": 0, "pss": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss, pss = _tree_memory(os.getpid())
            peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
            stop.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def naive_pdfs(jobs: list[Job], sample: bool) -> tuple[float, list[int]]:
    """The baseline: one document after another, fonts and stylesheets set up anew for each, as
    WeasyPrint writes them (no font compaction); the seconds and each document's size."""
    from weasyprint import CSS, HTML
    from weasyprint.pdf.fonts import Font
    from weasyprint.text.fonts import FontConfiguration

    from generator.render.pdf import STYLESHEETS, TWO_PASS_SUBSET, forms_environment

    forms = ROOT / "forms"
    env = forms_environment(forms)
    ours = Font.subset
    Font.subset = TWO_PASS_SUBSET  # our renderer swapped it for this whole process
    try:
        started = time.perf_counter()
        sizes = []
        for job in jobs:
            fonts = FontConfiguration()
            sheets = [CSS(filename=str(forms / path), font_config=fonts) for path in STYLESHEETS[job.style]]
            html = env.get_template(job.template).render(sample=sample, **job.data)
            data = HTML(string=html, base_url=str(forms) + "/").write_pdf(stylesheets=sheets, font_config=fonts)
            sizes.append(len(data))
        return time.perf_counter() - started, sizes
    finally:
        Font.subset = ours


def plain_mkdocs(data: Path, scratch: Path) -> float:
    """`mkdocs build` of exactly the docs our build hands the engine, with nothing skipped."""
    from generator.publish.mkdocs_engine import ENGINE, USER_DICT, mkdocs_config, user_dictionary
    from generator.publish.write import OutputFile, write_files

    model = gather(load_inputs(data), TODAY)
    root = scratch / "plain"
    shutil.copytree(ROOT / "docs", root / "docs")
    pages = [job for job in plan_site(model) if job.format == "md" and not job.sources]
    rendered = render_jobs(pages, Run(ROOT / "forms", False, model))
    write_files(root / "docs", [OutputFile(ENGINE.source(job.path), data) for job, data in rendered])
    facts = site_facts(model, search_words(model))
    (root / USER_DICT).write_text(user_dictionary(facts), encoding="utf-8")
    config = mkdocs_config(ROOT, facts)
    (root / "mkdocs.yml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    seconds, _ = timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(root / "mkdocs.yml")],
            cwd=root,
            check=True,
            capture_output=True,
        )
    )
    return seconds


def keystroke_ms(site: Path, width: int) -> tuple[float, float, int]:
    """Median and slowest time from one typed character to the filtered, laid-out directory (ms),
    and the number of enterprises filtered, at one screen width."""
    from tests.browser import chromium

    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto((site / "whitelist" / "index.html").as_uri())
        page.wait_for_selector("#wl-filter:not([hidden])")
        enterprises = int("".join(filter(str.isdigit, page.locator("#wl-count").inner_text())))
        times = page.evaluate(
            """async (queries) => {
                const box = document.getElementById('wl-keyword');
                const frame = () => new Promise(r => requestAnimationFrame(() => r()));
                const out = [];
                for (const q of queries) {
                    await frame();
                    const t0 = performance.now();
                    box.value = q;
                    box.dispatchEvent(new Event('input'));
                    await frame(); await frame();
                    document.body.offsetHeight;  // force layout of the new table
                    out.push(performance.now() - t0);
                }
                return out;
            }""",
            ["新", "新集", "新集镇", "新", "", "沙", "沙窝", "", "9141", ""],
        )
        page.close()
    return statistics.median(times), max(times), enterprises


def prepare(size: int, scratch: Path) -> Path:
    data = scratch / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "register.yaml").write_text(register_yaml(size), encoding="utf-8")
    site = (data / "site.yaml").read_text(encoding="utf-8").replace("sample: true", "sample: false")
    (data / "site.yaml").write_text(site, encoding="utf-8")
    return data


def mean_size(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths) / len(paths) if paths else 0.0


def cli_seconds(args: list[str], cwd: Path) -> float:
    """The median of three runs of a wlsite command in a fresh process: what a clerk waits for."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def import_seconds(data: Path, scratch: Path, added: int) -> tuple[float, float]:
    """`wlsite import` as a clerk runs it, of the register's own export (nothing to write), then
    of the export with `added` new enterprises and their applications."""
    from openpyxl import load_workbook

    from generator.register.uscc import make
    from generator.staff.workbook import export_workbook

    workbook = scratch / "登记册.xlsx"
    export_workbook(data, workbook)
    command = [sys.executable, "-m", "generator", "import", str(workbook), "--data", str(data), "--today", f"{TODAY}"]

    def imported() -> None:
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)

    unchanged, _ = timed(imported)
    book = load_workbook(workbook)
    enterprises, events = book["企业"], book["事件"]
    template = [cell.value for cell in enterprises[2]]
    for number in range(added):
        code = make("91", "411523", f"MB{number:06d}")
        enterprises.append([code, f"新县导入示例{number}号有限公司", *template[2:]])
        events.append([code, f"新县导入示例{number}号有限公司", TODAY, "申报"])
    book.save(workbook)
    grown, _ = timed(imported)
    return unchanged, grown


def ruamel_round_trip_seconds(register: Path) -> float:
    """The naive write-back: the whole register through ruamel.yaml, as staff tools once did."""
    import io

    from ruamel.yaml import YAML

    handler = YAML()
    handler.preserve_quotes = True
    seconds, _ = timed(lambda: handler.dump(handler.load(register.read_text(encoding="utf-8")), io.StringIO()))
    return seconds


def run(size: int, baseline_sample: int) -> Result:
    result = Result(size)
    print(f"\nN = {size:,}  (measured {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)")
    print(f"  {'':<46} {'ours':>14} {'baseline':>14} {'ratio':>9}")
    with tempfile.TemporaryDirectory(prefix=f"wlsite-bench-{size}-") as folder:
        scratch = Path(folder)
        data = prepare(size, scratch)
        config = BuildConfig(data, scratch / "site", TODAY, staff_dir=scratch / "staff", cache_dir=scratch / "cache")

        with peak_memory() as peak:
            cold_seconds, cold = timed(lambda: build(config))
        assert isinstance(cold, BuildReport)
        no_op_seconds, no_op = timed(lambda: build(config))
        assert isinstance(no_op, BuildReport) and no_op.unchanged
        site = scratch / "site"
        certificates = sorted(site.glob("whitelist/*-certificate.pdf"))
        ours_certificate = mean_size(certificates)
        ours_site = folder_size(site)
        pdf_bytes = sum(p.stat().st_size for p in site.rglob("*.pdf"))
        pdf_count = sum(1 for _ in site.rglob("*.pdf"))

        model = gather(load_inputs(data), TODAY)
        jobs = [*kit.certificate_pdfs(model), *notices.notice_pdfs(model)]
        sample_jobs = jobs[:baseline_sample]
        ours_pdf, _ = timed(lambda: list(iter_pdfs(sample_jobs, ROOT / "forms", False)))
        naive_pdf, naive_sizes = naive_pdfs(sample_jobs, False)
        ours_rate, naive_rate = len(sample_jobs) / ours_pdf, len(sample_jobs) / naive_pdf
        mkdocs_plain = plain_mkdocs(data, scratch)
        documents = cold.rendered + cold.staff_rendered
        naive_cold = documents / naive_rate + mkdocs_plain  # documents at the measured naive rate
        naive_certificate = statistics.mean(
            size for job, size in zip(sample_jobs, naive_sizes, strict=True) if job.template == "certificate.html.j2"
        )
        naive_site = ours_site - pdf_bytes + pdf_count * statistics.mean(naive_sizes)

        (data / "register.yaml").write_text(register_yaml(size, extra_round=ROUND), encoding="utf-8")
        round_seconds, after_round = timed(lambda: build(replace(config, today=ROUND_DAY)))
        assert isinstance(after_round, BuildReport)

        result.add("cold build (s)", f"{cold_seconds:.1f}", f"≈{naive_cold:.1f}", f"{naive_cold / cold_seconds:.2f}×")
        result.add("  PDFs rendered / engine time (s)", f"{documents} / {cold.engine_seconds:.1f}")
        result.add(
            "no-op rebuild (s)", f"{no_op_seconds:.2f}", "", f"{100 * no_op_seconds / cold_seconds:.1f} % of cold"
        )
        result.add(
            f"rebuild after a round of {ROUND} (s)",
            f"{round_seconds:.1f}",
            "",
            f"{100 * round_seconds / cold_seconds:.1f} % of cold",
        )
        result.add("  PDFs rendered in that rebuild", f"{after_round.rendered + after_round.staff_rendered}")
        result.add(
            "  generated pages taken from the published site",
            f"{after_round.engine_reused} of {after_round.pages}",
        )
        result.add(
            f"PDF throughput, {len(sample_jobs)} docs (docs/s)",
            f"{ours_rate:.2f}",
            f"{naive_rate:.2f}",
            f"{ours_rate / naive_rate:.2f}×",
        )
        result.add(
            "mean certificate (KB)",
            f"{ours_certificate / 1024:.1f}",
            f"{naive_certificate / 1024:.1f}",
            f"{naive_certificate / max(ours_certificate, 1):.1f}× smaller",
        )
        result.add(
            "site size (MB)",
            f"{ours_site / 1e6:.1f}",
            f"≈{naive_site / 1e6:.1f}",
            f"{naive_site / ours_site:.1f}× smaller",
        )
        result.add("  public PDFs", f"{pdf_count:,}")
        result.add(
            "site engine: our build vs plain mkdocs (s)",
            f"{cold.engine_seconds:.1f}",
            f"{mkdocs_plain:.1f}",
            f"{mkdocs_plain / cold.engine_seconds:.2f}×" if cold.engine_seconds else "",
        )
        megabytes = {kind: f"{amount / 1e6:.0f}" for kind, amount in peak.items()}
        result.add("peak memory, process tree, PSS / RSS sum (MB)", f"{megabytes['pss']} / {megabytes['rss']}")
        index = site / "search" / "search_index.json"
        result.add("search index (MB)", f"{index.stat().st_size / 1e6:.2f}")
        for width in (1280, 375):
            median, slowest, enterprises = keystroke_ms(site, width)
            result.add(
                f"filter keystroke, {enterprises:,} firms, {width} px (ms)",
                f"{median:.0f} / {slowest:.0f}",
                "",
                "median / max",
            )

        (data / "register.yaml").write_text(register_yaml(size), encoding="utf-8")
        check_seconds = cli_seconds(["check", "--data", str(data)], ROOT)
        result.add(f"wlsite check, {size:,} firms (s)", f"{check_seconds:.2f}")
        unchanged, grown = import_seconds(data, scratch, ROUND)
        naive_write = ruamel_round_trip_seconds(data / "register.yaml")
        result.add(f"Excel import, {size:,} rows, nothing to write (s)", f"{unchanged:.1f}")
        result.add(
            f"Excel import, {size:,} + {ROUND} new rows (s)",
            f"{grown:.1f}",
            f"{naive_write:.1f}",
            "ruamel.yaml round trip of the register alone",
        )
    return result


def startup() -> None:
    """How long a clerk waits for commands that build nothing, on the sample data."""
    print(f"\nCommand start-up on the sample data (median of 3, {os.cpu_count()} cores)")
    for args in (["--version"], ["check"], ["round", "status"], ["diff", "data/register.yaml", "data/register.yaml"]):
        print(f"  wlsite {' '.join(args):<46} {cli_seconds(args, ROOT):>8.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300,10000", help="comma-separated register sizes")
    parser.add_argument("--baseline-sample", type=int, default=200, help="documents in the throughput comparison")
    args = parser.parse_args()
    tune_collector()  # as `wlsite` does: the builds below run in this process
    startup()
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.baseline_sample)


if __name__ == "__main__":
    main()
