"""The command line: `wlsite build` and `wlsite check`. Maps errors to exit codes; nothing else.

Exit codes: 0 ok, 1 bad input or a failed build, 2 usage, 3 a bug in wlsite.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from generator import __version__
from generator.build import BuildConfig, build
from generator.errors import BuildError, InputError, Problem, Severity, summary
from generator.inputs import read_inputs

F = TypeVar("F", bound=Callable[..., Any])

data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="数据文件夹（data folder）：site.yaml、register.yaml、glossary.yaml、guidelines/",
)
debug_option = click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈（for developers）")


def _today(value: datetime | None) -> date:
    return value.date() if value else date.today()


def _print_problems(problems: list[Problem], *, written: bool, err: bool) -> None:
    for problem in problems:
        click.echo(str(problem), err=err)
    click.echo(summary(problems, written=written), err=err)


def handle_errors(command: F) -> F:
    """Turn known failures into messages and exit codes; anything else is a bug (exit 3)."""

    @wraps(command)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as error:
            if debug:
                traceback.print_exc()
            _print_problems(error.problems, written=False, err=True)
            sys.exit(1)
        except BuildError as error:
            if debug:
                traceback.print_exc()
            click.echo(f"构建失败：{error}", err=True)
            click.echo("已发布的网站没有改动。", err=True)
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
      wlsite check   检查数据（validate data/）
      wlsite build   生成网站到 site/（build the site）
    """


@cli.command()
@data_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="网站输出文件夹（output folder）",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="按哪一天生成（build date, YYYY-MM-DD；默认今天）：决定公示中、已入库等状态",
)
@debug_option
@handle_errors
def build_command(data_dir: Path, out_dir: Path, today: datetime | None) -> None:
    """检查数据并生成整个网站（validate, then build the site）。

    出错时不会改动已发布的网站。
    """
    report = build(BuildConfig(data_dir=data_dir, out_dir=out_dir, today=_today(today)))
    for problem in report.warnings:
        click.echo(str(problem), err=True)
    index = out_dir.absolute() / "index.html"
    click.echo(f"已生成网站：{out_dir}（{report.pages} 个生成页面，用时 {report.seconds:.1f} 秒）")
    click.echo(f"用浏览器打开：{index.as_uri()}")


cli.add_command(build_command, name="build")


@cli.command()
@data_option
@click.option("--strict", is_flag=True, help="警告也算错误（treat warnings as errors）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（machine-readable）")
@debug_option
@handle_errors
def check(data_dir: Path, strict: bool, as_json: bool) -> None:
    """检查 data/ 中的全部数据，一次列出所有问题（validate everything, list every problem）。"""
    inputs, problems = read_inputs(data_dir)
    failed = inputs is None or (strict and any(p.severity is Severity.WARNING for p in problems))
    if as_json:
        errors = sum(p.severity is Severity.ERROR for p in problems)
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
    if failed:
        sys.exit(1)


def main() -> None:
    cli(prog_name="wlsite")
