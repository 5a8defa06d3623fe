"""The command line: every `wlsite` command. Maps errors to exit codes and messages; nothing else.

Commands import what they use when they run, so `--version`, `check`, `diff` and `round status`
start without loading the PDF engine. Exit codes: 0 ok; 1 bad input, a failed build or a fault
of the machine (disk full, no permission); 2 usage; 3 a bug in wlsite.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from generator import __version__, cli_zh
from generator.errors import BuildError, InputError, Problem, Severity, summary

if TYPE_CHECKING:
    from generator.build import Progress
    from generator.inputs import Inputs

F = TypeVar("F", bound=Callable[..., Any])

cli_zh.install()

# Dates the outputs can carry (zip archives stop at 2107) and the calendar can reason about.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class Day(click.ParamType[date]):
    """A date typed as YYYY-MM-DD, within the years the outputs can carry."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"“{value}”不是有效日期：请写成 YYYY-MM-DD，例如 2026-11-28", param, ctx)
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail(f"{day} 超出可处理的范围（{FIRST_DAY.year}–{LAST_DAY.year} 年）", param, ctx)
        return day


data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="数据文件夹（data folder）：site.yaml、register.yaml、glossary.yaml、guidelines/",
)
debug_option = click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈（for developers）")
today_option = click.option(
    "--today",
    type=Day(),
    default=None,
    help="按哪一天计算（date, YYYY-MM-DD；默认今天）：决定公示中、已入库等状态",
)
cache_option = click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".cache/wlsite"),
    show_default=True,
    help="缓存文件夹：没有变化的 PDF 和网站不重新生成；预览也放在这里（build cache）",
)


def resolve_today(value: date | None) -> date:
    """The one notion of today for every command: --today, else SOURCE_DATE_EPOCH (the
    reproducible-builds convention for scripted runs), else the real date."""
    if value:
        return value
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


def _print_problems(problems: list[Problem], *, written: bool, err: bool) -> None:
    for problem in problems:
        click.echo(str(problem), err=err)
    click.echo(summary(problems, written=written), err=err)


# What went wrong on the machine, as a clerk can act on it (errno → Chinese).
_MACHINE_FAULTS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "磁盘是只读的",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EMFILE: "同时打开的文件太多",
    errno.EIO: "读写出错（磁盘或 U 盘可能有问题）",
}


def handle_errors(command: F) -> F:
    """Turn known failures into messages and exit codes; anything else is a bug (exit 3)."""

    @wraps(command)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        from generator.publish.write import OutputRefused

        try:
            return command(*args, **kwargs)
        except InputError as error:
            if debug:
                traceback.print_exc()
            _print_problems(error.problems, written=False, err=True)
            sys.exit(1)
        except OutputRefused as error:
            for reason in error.reasons:
                click.echo(reason, err=True)
            click.echo("未生成，也没有改动任何文件。", err=True)
            sys.exit(1)
        except BuildError as error:
            if debug:
                traceback.print_exc()
            click.echo(f"构建失败：{error}", err=True)
            click.echo("已发布的网站没有改动。", err=True)
            sys.exit(1)
        except BrokenPipeError:
            # The reader went away (`wlsite … | head`): stop quietly, as other tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as error:
            if error.errno not in _MACHINE_FAULTS or debug:
                raise
            where = f"：{error.filename}" if error.filename else ""
            click.echo(f"无法完成，{_MACHINE_FAULTS[error.errno]}{where}。已发布的网站和数据文件没有改动。", err=True)
            sys.exit(1)
        except Exception as error:
            if debug:
                raise
            click.echo(f"wlsite 内部错误（这是程序缺陷，请报告）：{type(error).__name__}: {error}", err=True)
            click.echo("加 --debug 可以看到详细信息。", err=True)
            sys.exit(3)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wlsite")
def cli() -> None:
    """新县白名单网站生成器（whitelist site generator）。

    \b
    常用命令：
      wlsite check          检查数据（validate data/）
      wlsite build          生成网站到 site/（build the site and PDFs）
      wlsite serve          在本机预览，数据改动后自动更新（preview）
      wlsite round new      新开一个批次（open the next round）
      wlsite round status   各批次的公示期和状态（rounds on a date）
      wlsite diff OLD NEW   比较两个登记册（what a change does）
      wlsite export/import  用 Excel 编辑登记册（Excel out and in）

    每个命令加 --help 查看说明。
    """


@cli.command("build")
@data_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="网站输出文件夹（output folder）",
)
@today_option
@click.option(
    "--staff-out",
    "staff_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("staff"),
    show_default=True,
    help="工作人员用的预填申请表（含联系人电话，不公开）的输出文件夹（staff-only output）",
)
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="生成 PDF 的进程数（默认每个 CPU 核一个）")
@cache_option
@click.option("--no-cache", is_flag=True, help="不用缓存，全部重新生成（rebuild everything）")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度（no progress bar）")
@debug_option
@handle_errors
def build_command(
    data_dir: Path,
    out_dir: Path,
    today: date | None,
    staff_dir: Path,
    workers: int | None,
    cache_dir: Path,
    no_cache: bool,
    quiet: bool,
) -> None:
    """检查数据并生成整个网站（validate, then build the site and PDFs）。

    出错时不会改动已发布的网站；没有变化的内容不会重新生成。
    """
    from generator.build import BuildConfig, build

    config = BuildConfig(
        data_dir=data_dir,
        out_dir=out_dir,
        today=resolve_today(today),
        staff_dir=staff_dir,
        cache_dir=None if no_cache else cache_dir,
        workers=workers,
    )
    with progress_bar(enabled=not quiet) as progress:
        report = build(config, progress)
    for problem in report.warnings:
        click.echo(str(problem), err=True)
    index = out_dir.absolute() / "index.html"
    if report.unchanged:
        click.echo(f"数据和模板都没有变化：{out_dir} 保持原样（检查用时 {report.seconds:.1f} 秒）。")
    else:
        reused = f"未变的 {report.engine_reused} 个页面沿用上次的结果；" if report.engine_reused else ""
        click.echo(
            f"已生成网站：{out_dir}（{report.pages} 个页面，{report.pdfs} 个 PDF，"
            f"其中本次新生成 {report.rendered} 个、其余取自缓存；{reused}用时 {report.seconds:.1f} 秒）"
        )
    fresh = f"，本次新生成 {report.staff_rendered} 份" if not report.unchanged else ""
    click.echo(f"工作人员用的预填表格（不公开，勿上传）：{staff_dir}（{report.staff_pdfs} 份{fresh}）")
    click.echo(f"用浏览器打开：{index.as_uri()}")


@cli.command()
@data_option
@today_option
@click.option("--strict", is_flag=True, help="警告也算错误（treat warnings as errors）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出，每个问题带稳定的代码（machine-readable）")
@debug_option
@handle_errors
def check(data_dir: Path, today: date | None, strict: bool, as_json: bool) -> None:
    """检查 data/ 中的全部数据，一次列出所有问题（validate everything, list every problem）。

    --today 只影响提示中的日期判断；检查规则与日期无关。
    """
    from generator.inputs import load_inputs

    on = resolve_today(today)
    inputs = None
    try:
        inputs = load_inputs(data_dir)
        problems = list(inputs.warnings)
    except InputError as error:
        problems = error.problems
    errors = sum(p.severity is Severity.ERROR for p in problems)
    failed = errors > 0 or (strict and bool(problems))
    if as_json:
        report = {
            "ok": not failed,
            "errors": errors,
            "warnings": len(problems) - errors,
            "problems": [p.as_dict() for p in problems],
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        if problems:
            click.echo(summary(problems, written=not failed))
        else:
            click.echo("检查通过：没有发现问题。")
        if inputs is not None and not failed:
            click.echo(standing_summary(inputs, on))
    if failed:
        sys.exit(1)


def standing_summary(inputs: Inputs, on: date) -> str:
    """What the register says on a date, in the words the site uses (so check agrees with the build)."""
    from generator.register.history import Status

    counts: dict[Status, int] = {}
    for enterprise in inputs.register.enterprises:
        standing = inputs.timelines[enterprise.uscc].standing(on)
        if standing is not None:
            counts[standing.status] = counts.get(standing.status, 0) + 1
    shown = "，".join(f"{status.value} {counts[status]} 家" for status in Status if counts.get(status))
    return f"按 {on}：登记册共 {len(inputs.register.enterprises)} 家企业（{shown or '都还没有事件'}）。"


@cli.group(name="round")
def round_group() -> None:
    """批次：新开一批、查看各批状态（approval rounds）。"""


@round_group.command("new")
@data_option
@today_option
@click.option("--start", type=Day(), default=None, help="公示日期（publication date, YYYY-MM-DD；默认下一个工作日）")
@click.option("--id", "round_id", default=None, help="批次编号（round id, 用于网址；默认 年份-序号，如 2026-02）")
@click.option("--title", default=None, help="批次名称（默认“第N批”）")
@click.option("--workdays", type=click.IntRange(1, 30), default=None, help="公示工作日数（默认按 site.yaml）")
@debug_option
@handle_errors
def round_new(
    data_dir: Path,
    today: date | None,
    start: date | None,
    round_id: str | None,
    title: str | None,
    workdays: int | None,
) -> None:
    """在 register.yaml 末尾新增下一批次（open the next round）。

    只追加批次，不改动文件中已有的任何内容和注释。
    """
    from generator.render.text import chinese_date
    from generator.staff.rounds import new_round

    created = new_round(data_dir, resolve_today(today), start, round_id, title, workdays)
    schedule = created.schedule
    click.echo(f"已新增批次 {schedule.round.id}（{schedule.round.title}）到 {data_dir / 'register.yaml'}。")
    click.echo(
        f"公示期：{chinese_date(schedule.start)}至{chinese_date(schedule.end)}（{schedule.workdays} 个工作日）。"
    )
    click.echo(
        f"从 {schedule.start} 起生成的网站将发布《关于{schedule.round.title}……名单的公示》，"
        f'列出 approved 事件写明 round: "{schedule.round.id}" 的企业（目前 {created.approved} 家）。'
    )
    if not created.approved:
        click.echo(
            f'下一步：为批准的企业添加 {{date: …, event: approved, round: "{schedule.round.id}"}}，'
            "然后运行 wlsite check。"
        )


@round_group.command("status")
@data_option
@today_option
@debug_option
@handle_errors
def round_status_command(data_dir: Path, today: date | None) -> None:
    """列出每个批次的公示期和当天网站上显示的状态（what the site shows per round）。"""
    from generator.staff.rounds import round_status

    on = resolve_today(today)
    click.echo(f"按 {on} 生成的网站：")
    for state in round_status(data_dir, on):
        schedule = state.schedule
        click.echo(
            f"  {schedule.round.id}  {schedule.round.title}  {schedule.start} 至 {schedule.end}  "
            f"{state.approved} 家  {state.state}"
        )


@cli.command()
@click.argument("old", metavar="旧登记册", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", metavar="新登记册", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@data_option
@today_option
@debug_option
@handle_errors
def diff(old: Path, new: Path, data_dir: Path, today: date | None) -> None:
    """比较两个登记册：登记册里改了什么，按 --today 生成的网站会怎样变化。

    旧登记册和新登记册是两个 register.yaml；网站设置取自 --data。
    """
    from generator.staff.diff import compare_files

    for line in compare_files(data_dir, old, new, resolve_today(today)).lines():
        click.echo(line)


class _RichProgress:
    """The build's stages and PDF count on one transient line (only on a terminal)."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task: Any = None

    def stage(self, label: str, total: int | None = None) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(label, total=total)

    def advance(self, count: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, count)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from generator.build import Silent

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield Silent()
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield _RichProgress(progress)


@cli.command("export")
@click.option(
    "--xlsx",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="要写出的 Excel 文件（workbook to write），例如 登记册.xlsx",
)
@data_option
@debug_option
@handle_errors
def export_command(target: Path, data_dir: Path) -> None:
    """把登记册导出为 Excel 表格，便于编辑（export the register to Excel）。

    表格含“企业”“批次”“事件”三张表和使用说明；棕色表头的列是内部信息。
    """
    from generator.staff.workbook import export_workbook

    counts = export_workbook(data_dir, target)
    click.echo(f"已导出：{target}（企业 {counts['企业']} 家，批次 {counts['批次']} 个，事件 {counts['事件']} 条）")


@cli.command("import")
@click.argument("sources", metavar="文件…", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@data_option
@today_option
@click.option(
    "--date",
    "applied_on",
    type=Day(),
    default=None,
    help="申请文件的申报日期（date of application, YYYY-MM-DD；默认 --today）",
)
@debug_option
@handle_errors
def import_command(sources: tuple[Path, ...], data_dir: Path, today: date | None, applied_on: date | None) -> None:
    """把 Excel 表格或企业的申请文件合并进登记册（merge a workbook or application files）。

    \b
    wlsite import 登记册.xlsx                      Excel：按统一社会信用代码更新或新增企业
    wlsite import 白名单申请-9141….json [更多文件]   企业在网站上保存的申请文件
    wlsite import 收到的申请/                       文件夹中的全部申请文件

    Excel 表格按批次编号更新或新增批次，只添加登记册中没有的事件，不删除任何内容。申请文件中的
    企业以 applied（申报）事件加入登记册，日期为 --date（默认当天）。先用与 wlsite check 相同的
    规则检查，有问题时逐条指出单元格或字段，且不写入任何内容；写入前把原登记册备份到 data/.history/。
    """
    from generator.staff.applications import application_files
    from generator.staff.imports import import_applications, import_workbook

    on = resolve_today(today)
    workbooks = [source for source in sources if source.suffix.lower() == ".xlsx"]
    if workbooks and len(sources) > 1:
        raise click.UsageError("一次只能导入一个 Excel 文件，且不能与申请文件一起导入。")
    if workbooks:
        result = import_workbook(workbooks[0], data_dir, on)
    else:
        files = application_files(list(sources))
        if not files:
            raise click.UsageError("没有找到申请文件（*.json）。")
        result = import_applications(files, data_dir, on, applied_on or on)
    register = data_dir / "register.yaml"
    shown = "、".join(str(source) for source in sources)
    if result.backup is None:
        click.echo(f"{shown} 与 {register} 一致，未写入。")
    else:
        click.echo(f"已导入 {shown} 到 {register}（原文件已备份为 {result.backup}）。")
    for line in result.comparison.lines():
        click.echo(line)


@cli.command("serve")
@data_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口（port）")
@cache_option
@today_option
@debug_option
@handle_errors
def serve_command(data_dir: Path, port: int, cache_dir: Path, today: date | None) -> None:
    """生成预览并在本机打开（preview on 127.0.0.1），数据改动后自动重新生成。

    预览只在本机可见，不会改动 site/ 中准备发布的网站。
    """
    from generator.staff.preview import serve

    try:
        serve(data_dir, port, cache_dir, lambda: resolve_today(today), lambda line: click.echo(line, err=False))
    except KeyboardInterrupt:
        click.echo("已停止预览。")
    except OSError as error:
        raise BuildError(f"无法在 127.0.0.1:{port} 上提供预览：{error.strerror}（换一个 --port 试试）") from None


def tune_collector() -> None:
    """A province register is a million small containers that live until the command ends; with
    the default thresholds the collector walks them again and again (as mypy found for its own
    trees, whose setting this is), a tenth of an import or a check."""
    gc.set_threshold(200_000, 30, 30)


def main() -> None:
    tune_collector()
    cli(prog_name="wlsite")
