"""Compacted PDFs: every kind of PDF the kit makes keeps only the glyphs it draws, and nothing a
reader sees changes (poppler's pixels at 100 and 300 dpi, pdftotext's text, qpdf's verdict). In a
PDF the stage does not understand the fonts come back as they went in."""

from __future__ import annotations

import io
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from PIL import Image
from weasyprint import HTML
from weasyprint.pdf.fonts import Font
from weasyprint.text.fonts import FontConfiguration

from generator.inputs import load_inputs
from generator.model.site import gather
from generator.model.staff import gather_staff
from generator.render import kit, notices
from generator.render.compact import compact
from generator.render.kit import BLANK_FORMS
from generator.render.pdf import TWO_PASS_SUBSET, FormRenderer, use_one_pass_subset
from generator.render.registry import Job
from tests.conftest import DATA, ROOT, TODAY

KINDS = ["portrait-form", "landscape-log", "self-check", "certificate", "commitment", "notice"]
CERTIFICATE_LIMIT = 60_000


@dataclass(frozen=True)
class Pair:
    """One PDF as WeasyPrint writes it and compacted, both on disk for poppler."""

    before: Path
    after: Path


def jobs_by_kind() -> dict[str, Job]:
    model = gather(load_inputs(DATA), TODAY)
    blank = {job.path: job for job in kit.plan(model) if job.format == "pdf"}
    forms = {form.slug: form.pdf for form in BLANK_FORMS}
    certificates = kit.certificate_pdfs(model)
    staff = gather_staff(load_inputs(DATA), TODAY)
    letters = kit.staff_plan(staff, model.site, model.guideline)
    return {
        "portrait-form": blank[forms["application"]],
        "landscape-log": blank[forms["health-log"]],
        "self-check": blank[forms["self-check"]],
        "certificate": next(job for job in certificates if job.template == "certificate.html.j2"),
        "commitment": next(job for job in letters if job.template == "commitment.html.j2"),
        "notice": next(job for job in notices.notice_pdfs(model) if job.template == "notice.html.j2"),
    }


@pytest.fixture(scope="module")
def renderer() -> FormRenderer:
    return FormRenderer(ROOT / "forms", sample=True)


@pytest.fixture(scope="module")
def pairs(renderer: FormRenderer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Pair]:
    folder = tmp_path_factory.mktemp("compact")
    found = {}
    for kind, job in jobs_by_kind().items():
        before = renderer.weasyprint_pdf(job)
        found[kind] = Pair(folder / f"{kind}.pdf", folder / f"{kind}.compact.pdf")
        found[kind].before.write_bytes(before)
        found[kind].after.write_bytes(compact(before))
    return found


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pdffonts(path: Path) -> list[tuple[str, str, str, str]]:
    """(name, type, embedded?, subset?) of every font."""
    rows = run("pdffonts", str(path)).splitlines()[2:]
    return [(row[:36].strip(), row[37:54].strip(), row.split()[-5], row.split()[-4]) for row in rows]


def pages(path: Path, dpi: int) -> list[tuple[tuple[int, int], bytes]]:
    """Every page rendered by poppler, as decoded pixels."""
    prefix = path.with_name(f"{path.stem}-{dpi}")
    subprocess.run(["pdftoppm", "-r", str(dpi), str(path), str(prefix)], check=True)
    rendered = sorted(path.parent.glob(f"{prefix.name}-*.ppm"))
    assert rendered
    decoded = []
    for page in rendered:
        with Image.open(page) as image:
            decoded.append((image.size, image.tobytes()))
        page.unlink()
    return decoded


@pytest.mark.parametrize("kind", KINDS)
def test_every_font_keeps_only_the_glyphs_it_draws(pairs: dict[str, Pair], kind: str) -> None:
    before, after = pairs[kind].before.read_bytes(), pairs[kind].after.read_bytes()
    assert len(after) < len(before) / 3
    with pikepdf.open(io.BytesIO(after)) as document:
        fonts = [font for page in document.pages for font in page.Resources.Font.values()]
        assert fonts
        for font in fonts:
            cid_font = font.DescendantFonts[0]
            program = cid_font.FontDescriptor.FontFile3
            assert program.Subtype == "/CIDFontType0C"  # a bare CFF: no OpenType tables around it
            # Every glyph but .notdef is drawn, and has its width in /W.
            assert widths_of(cid_font.W) == set(range(1, cff_glyph_count(program.read_bytes()))), font.BaseFont


def cff_glyph_count(data: bytes) -> int:
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(data), None)
    return int(fonts.topDictIndex[0].numGlyphs)


def widths_of(widths: pikepdf.Object) -> set[int]:
    """The glyph ids /W gives a width, in the `c [w ...]` form WeasyPrint writes."""
    items = list(widths)
    runs = zip(items[::2], items[1::2], strict=True)
    return {int(start) + offset for start, run in runs for offset in range(len(run))}


def test_a_certificate_is_at_most_60_kb(pairs: dict[str, Pair]) -> None:
    assert pairs["certificate"].after.stat().st_size <= CERTIFICATE_LIMIT


@pytest.mark.parametrize("kind", KINDS)
def test_qpdf_finds_nothing_wrong(pairs: dict[str, Pair], kind: str) -> None:
    result = subprocess.run(["qpdf", "--check", str(pairs[kind].after)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-500:] + result.stderr[-500:]


@pytest.mark.parametrize("kind", KINDS)
def test_fonts_stay_embedded_subsets(pairs: dict[str, Pair], kind: str) -> None:
    before, after = pdffonts(pairs[kind].before), pdffonts(pairs[kind].after)
    assert sorted(name for name, *_ in after) == sorted(name for name, *_ in before)
    for name, kind_of_font, embedded, subset in after:
        assert (kind_of_font, embedded, subset) == ("CID Type 0C", "yes", "yes"), name


@pytest.mark.parametrize("kind", KINDS)
def test_text_is_unchanged(pairs: dict[str, Pair], kind: str) -> None:
    for layout in (["-layout"], ["-raw"]):
        before = run("pdftotext", *layout, str(pairs[kind].before), "-")
        assert run("pdftotext", *layout, str(pairs[kind].after), "-") == before
        assert before.strip()


@pytest.mark.parametrize("dpi", [100, 300])
@pytest.mark.parametrize("kind", KINDS)
def test_pages_look_the_same_to_the_pixel(pairs: dict[str, Pair], kind: str, dpi: int) -> None:
    assert pages(pairs[kind].after, dpi) == pages(pairs[kind].before, dpi)


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_bytes_every_time(pairs: dict[str, Pair], kind: str) -> None:
    before, after = pairs[kind].before.read_bytes(), pairs[kind].after.read_bytes()
    assert compact(before) == after
    assert compact(after) == after  # nothing left to gain: returned as it is


def test_the_renderer_hands_out_compacted_pdfs(renderer: FormRenderer, pairs: dict[str, Pair]) -> None:
    assert renderer.pdf(jobs_by_kind()["certificate"]) == pairs["certificate"].after.read_bytes()


def test_cid_sets_follow_the_new_glyph_ids(renderer: FormRenderer, tmp_path: Path) -> None:
    """PDF 1.4 output (as PDF/A-1 needs) lists each font's glyphs in a CIDSet."""
    job = jobs_by_kind()["certificate"]
    html = HTML(string=renderer.html(job), base_url=str(renderer.forms_dir) + "/", url_fetcher=renderer.fetcher)
    before = html.write_pdf(stylesheets=renderer.stylesheets[job.style], font_config=renderer.fonts, pdf_version="1.4")
    after = compact(before)
    with pikepdf.open(io.BytesIO(after)) as document:
        for font in document.pages[0].Resources.Font.values():
            descriptor = font.DescendantFonts[0].FontDescriptor
            glyphs = cff_glyph_count(descriptor.FontFile3.read_bytes())
            bits = "".join(f"{byte:08b}" for byte in descriptor.CIDSet.read_bytes())
            assert bits == "1" * glyphs + "0" * (len(bits) - glyphs), font.BaseFont
    (tmp_path / "before.pdf").write_bytes(before)
    (tmp_path / "after.pdf").write_bytes(after)
    assert run("pdftotext", str(tmp_path / "after.pdf"), "-") == run("pdftotext", str(tmp_path / "before.pdf"), "-")
    assert pages(tmp_path / "after.pdf", 100) == pages(tmp_path / "before.pdf", 100)


def test_what_is_not_a_pdf_comes_back_as_it_went_in() -> None:
    assert compact(b"%PDF-1.7 but nothing after") == b"%PDF-1.7 but nothing after"


def rewritten(pdf: bytes, change: str) -> bytes:
    """The certificate with one thing the stage refuses to handle, uncompressed as WeasyPrint hands it over."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if change == "form fields":
            document.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array())
        elif change == "unreadable fonts":
            for font in document.pages[0].Resources.Font.values():
                font.DescendantFonts[0].FontDescriptor.FontFile3.write(b"not a font")
        elif change == "font inherited by a form":
            form = document.make_stream(b"BT <0001> Tj ET", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form)
            form.BBox = pikepdf.Array([0, 0, 10, 10])
            document.pages[0].Resources.XObject.Inherits = form
        out = io.BytesIO()
        document.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
    return out.getvalue()


def unfiltered_streams(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return sum(1 for item in document.objects if isinstance(item, pikepdf.Stream) and "/Filter" not in item)


@pytest.mark.parametrize("change", ["form fields", "unreadable fonts", "font inherited by a form"])
def test_fonts_it_does_not_understand_come_back_as_they_went_in(pairs: dict[str, Pair], change: str) -> None:
    pdf = rewritten(pairs["certificate"].before.read_bytes(), change)
    after = compact(pdf)
    assert font_programs(after) == font_programs(pdf)
    assert unfiltered_streams(pdf) > 0 and unfiltered_streams(after) == 0  # still compressed, once


def test_the_pinned_weasyprint_subsets_in_one_pass() -> None:
    """A WeasyPrint upgrade must be checked against `_one_pass_subset` before it takes effect."""
    assert use_one_pass_subset()


@pytest.mark.parametrize("kind", KINDS)
def test_one_subsetting_pass_gives_the_same_pdf_as_weasyprints_two(
    renderer: FormRenderer, pairs: dict[str, Pair], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second pass only drops glyphs after the last one drawn, which compaction drops anyway."""
    monkeypatch.setattr(Font, "subset", TWO_PASS_SUBSET)
    assert renderer.pdf(jobs_by_kind()[kind]) == pairs[kind].after.read_bytes()


def truetype_font(path: Path) -> None:
    """A small TrueType font: A-Z as boxes of different heights."""
    letters = list(string.ascii_uppercase)
    names = [".notdef", *letters]
    glyphs = {}
    for index, name in enumerate(names):
        pen = TTGlyphPen(None)
        pen.moveTo((50, 0))
        pen.lineTo((50, 100 + 25 * index))
        pen.lineTo((450, 100 + 25 * index))
        pen.lineTo((450, 0))
        pen.closePath()
        glyphs[name] = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(letter): letter for letter in letters})
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (500, 50) for name in names})
    builder.setupHorizontalHeader(ascent=900, descent=-100)
    builder.setupNameTable({"familyName": "Compact Test", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=900, sTypoDescender=-100, usWinAscent=900, usWinDescent=100)
    builder.setupPost()
    builder.save(str(path))


def font_programs(pdf: bytes) -> dict[str, bytes]:
    """Each font's name (without its subset tag) and its program, decoded."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        found = {}
        for font in document.pages[0].Resources.Font.values():
            descriptor = font.DescendantFonts[0].FontDescriptor
            program = descriptor.get("/FontFile2") or descriptor.FontFile3
            found[str(font.BaseFont).split("+")[1]] = program.read_bytes()
        return found


def test_truetype_fonts_are_left_as_they_are(tmp_path: Path) -> None:
    """Next to a CJK font, which is compacted, a TrueType font keeps WeasyPrint's program."""
    truetype_font(tmp_path / "test.ttf")
    html = (
        "<html lang=zh-CN><style>@font-face { font-family: CompactTest; src: url(test.ttf) }"
        "body { font: 40px 'Noto Serif CJK SC' } .latin { font-family: CompactTest }</style>"
        "<p>白名单企业证明</p><p class=latin>QUIZ</p></html>"
    )
    before = HTML(string=html, base_url=str(tmp_path) + "/").write_pdf(font_config=FontConfiguration())
    after = compact(before)
    (tmp_path / "before.pdf").write_bytes(before)
    (tmp_path / "after.pdf").write_bytes(after)
    assert sorted(row[1] for row in pdffonts(tmp_path / "after.pdf")) == ["CID TrueType", "CID Type 0C"]
    programs_before, programs_after = font_programs(before), font_programs(after)
    assert programs_after["CompactTest"] == programs_before["CompactTest"]
    assert len(programs_after["Noto-Serif-CJK-SC"]) < len(programs_before["Noto-Serif-CJK-SC"]) / 10
    assert run("pdftotext", str(tmp_path / "after.pdf"), "-") == run("pdftotext", str(tmp_path / "before.pdf"), "-")
    assert pages(tmp_path / "after.pdf", 100) == pages(tmp_path / "before.pdf", 100)
