"""Downloads of the directory: CSV (UTF-8 with BOM, for Excel), XLSX and JSON — the same rows.

Pure: bytes out, the build date in; the same rows give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from generator.model.public import PublicEnterprise
from generator.render.archive import normalise_zip
from generator.render.registry import Format, Job, Run

JSON_FORMAT = "wlsite-whitelist"
JSON_VERSION = 1
HEADERS = ("企业名称", "统一社会信用代码", "行业类别", "入库条件", "所属乡镇", "批次", "公示期", "入库日期", "核验网址")
WIDTHS = (36, 22, 10, 36, 12, 10, 24, 12, 60)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def row(listing: PublicEnterprise, base_url: str) -> tuple[str, ...]:
    """One directory row as text, in the order of `HEADERS`."""
    period = listing.period
    assert period is not None and listing.listed_from is not None, "the directory lists 已入库 enterprises only"
    schedule = period.schedule
    return (
        listing.name,
        listing.uscc,
        listing.sector,
        "、".join(listing.qualifications),
        listing.township,
        schedule.round.title,
        f"{schedule.start.isoformat()} 至 {schedule.end.isoformat()}",
        listing.listed_from.isoformat(),
        base_url + listing.page,
    )


def _safe_cell(text: str) -> str:
    """Text that a spreadsheet shows as text, not as a formula (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def whitelist_csv(listings: Sequence[PublicEnterprise], base_url: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for listing in listings:
        writer.writerow([_safe_cell(cell) for cell in row(listing, base_url)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def whitelist_xlsx(listings: Sequence[PublicEnterprise], base_url: str, today: date, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "白名单企业"
    sheet.append(HEADERS)
    for listing in listings:
        sheet.append(row(listing, base_url))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.data_type = "s"  # text stays text, even when it starts with "="
    header_fill = PatternFill("solid", fgColor="9B1C1C")
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    stamp = datetime(today.year, today.month, today.day)
    workbook.properties.title = title
    workbook.properties.creator = "wlsite"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save() would stamp `modified` with the clock.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return normalise_zip(buffer.getvalue(), today)


def whitelist_json(listings: Sequence[PublicEnterprise], base_url: str, today: date, county: str) -> bytes:
    enterprises = []
    for listing in listings:
        period = listing.period
        assert period is not None and listing.listed_from is not None
        schedule = period.schedule
        enterprises.append(
            {
                "name": listing.name,
                "uscc": listing.uscc,
                "sector": listing.sector,
                "qualifications": list(listing.qualifications),
                "township": listing.township,
                "round": {"id": schedule.round.id, "title": schedule.round.title},
                "notice": {"start": schedule.start.isoformat(), "end": schedule.end.isoformat()},
                "listed_since": listing.listed_from.isoformat(),
                "url": base_url + listing.page,
            }
        )
    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "county": county,
        "date": today.isoformat(),
        "count": len(enterprises),
        "enterprises": enterprises,
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


class Tables(Format):
    def render(self, jobs: Sequence[Job], run: Run) -> Iterator[bytes]:
        for job in jobs:
            rows, base_url, today, county = (job.data[k] for k in ("rows", "base_url", "today", "county"))
            if job.format == "csv":
                yield whitelist_csv(rows, base_url)
            elif job.format == "xlsx":
                yield whitelist_xlsx(rows, base_url, today, f"{county}白名单企业名录")
            else:
                yield whitelist_json(rows, base_url, today, county)


FORMAT = Tables()
