"""Compact, between WeasyPrint and the cache: cuts the fonts in a PDF down to the glyphs it draws.

WeasyPrint subsets fonts with HarfBuzz keeping every glyph id, so a Noto CJK subset of 200 glyphs
still carries 63,000 empty slots, most of a certificate's bytes. This stage re-subsets each such
font program without those slots, numbers its glyphs 0..n-1 and rewrites everything that carries
a glyph id: the text-showing operators of every content stream, /W, /ToUnicode and /CIDSet.

It must not change how a page looks or the text it gives, and its output is a pure function of
its input bytes (no clock, no randomness, no files). A font it cannot subset is left as it is,
and in a PDF holding anything else it does not fully understand no font is touched: bigger,
never broken. Either way every stream leaves compressed (unless qpdf cannot read the file at all,
which then comes back as it went in), so WeasyPrint need not compress the empty slots this stage
throws away.

Only CID-keyed CFF fonts are compacted (CIDFontType0 from OpenType, as WeasyPrint embeds Noto
CJK). TrueType fonts (CIDFontType2) are left as they are: HarfBuzz zeroes the metrics and outline
offsets of their empty slots, and zlib squeezes 30,000 of them into about 150 bytes (measured), so
renumbering them would gain nothing worth its risk.
"""

from __future__ import annotations

import bisect
import io
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf
from fontTools.cffLib import CFFFontSet, CharStrings, FDSelect
from fontTools.misc.psCharStrings import T2CharString
from fontTools.ttLib import TTFont
from pikepdf import Array, ContentStreamInlineImage, ContentStreamInstruction, Dictionary, Name, Object, Pdf, String

ObjGen = tuple[int, int]
Instructions = list[ContentStreamInstruction | ContentStreamInlineImage]

SHOW_TEXT = frozenset({"Tj", "TJ", "'", '"'})
# Operators of a ToUnicode CMap as WeasyPrint writes it; anything else (bfrange, usecmap, ...)
# is a CMap this stage does not rewrite.
TO_UNICODE_OPERATORS = frozenset(
    {
        "findresource",
        "begin",
        "dict",
        "def",
        "begincmap",
        "endcmap",
        "CMapName",
        "currentdict",
        "defineresource",
        "pop",
        "end",
        "begincodespacerange",
        "endcodespacerange",
        "beginbfchar",
        "endbfchar",
    }
)
TWO_BYTE_CODESPACE = [b"\x00\x00", b"\xff\xff"]
CMAP_BATCH = 100  # entries per bfchar block: the CMap format's limit


class _Refused(Exception):
    """Something this stage does not understand: the PDF stays as it was."""


@dataclass
class _Program:
    """One embedded font program and the Type0 fonts that draw with it."""

    file: pikepdf.Stream
    fonts: list[Dictionary] = field(default_factory=list)
    used: set[int] = field(default_factory=lambda: {0})  # .notdef stays glyph 0, as fonts require


@dataclass
class _Content:
    """A content stream (or a page's array of them) and where it shows text in compactable fonts."""

    owner: Object
    instructions: Instructions
    shows: list[tuple[int, _Program]]


def compact(pdf: bytes) -> bytes:
    """`pdf` with each embedded font cut down to the glyphs it draws and every stream compressed;
    with its fonts as they were when it holds anything this stage does not understand; `pdf`
    itself when that gains nothing or qpdf cannot read it."""
    try:
        return _saved(pdf, compact_fonts=True)
    except Exception:  # a malformed object or font anywhere: WeasyPrint's fonts, which work
        pass
    try:
        return _saved(pdf, compact_fonts=False)
    except Exception:
        return pdf


def _saved(pdf: bytes, compact_fonts: bool) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if compact_fonts:
            _compact_fonts(document)
        out = io.BytesIO()
        # qpdf compresses the streams that are not (this stage compresses what it writes) and
        # copies the others as they are, and packs the small objects into compressed object
        # streams; the file identifier is a hash of the content instead of a random one.
        document.save(
            out,
            compress_streams=True,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            fix_metadata_version=False,
            deterministic_id=True,
        )
    data = out.getvalue()
    return data if len(data) < len(pdf) else pdf


def _compact_fonts(document: Pdf) -> None:
    """Compacts `document` in place."""
    if "/AcroForm" in document.Root:
        raise _Refused("viewers draw form fields with the form's fonts, any glyph of them")
    programs = _programs(document)
    if not programs:
        return
    contents = [_read(owner, resources, programs) for owner, resources in _content_streams(document)]
    mappings: dict[ObjGen, dict[int, int]] = {}
    owners: dict[ObjGen, ObjGen] = {}
    for program in {id(p): p for p in programs.values()}.values():
        try:
            result = _cff_subset(program.file.read_bytes(), sorted(program.used))
        except _Refused:
            continue  # nothing of this program was touched: its fonts and text stay as they were
        if result is None:
            continue
        data, glyph_count, mapping = result
        _write(program.file, data)
        program.file.Subtype = Name("/CIDFontType0C")
        for font in program.fonts:
            _rewrite_font(font, program.file.objgen, mapping, glyph_count, owners)
        mappings[program.file.objgen] = mapping
    if not mappings:
        return
    written: dict[ObjGen, bytes | None] = {}
    for content in contents:
        _rewrite_content(document, content, mappings, written)


def _programs(document: Pdf) -> dict[ObjGen, _Program]:
    """Every Type0 font this stage can compact, by object, with its font program; a program that
    any other font also uses is left out."""
    by_file: dict[ObjGen, _Program] = {}
    fonts: dict[ObjGen, ObjGen] = {}
    refused: set[ObjGen] = set()
    descendants: set[ObjGen] = set()
    cid_fonts: list[Dictionary] = []
    for obj in document.objects:
        if not isinstance(obj, Dictionary) or obj.get("/Type") != Name.Font:
            continue
        subtype = obj.get("/Subtype")
        if subtype == Name.Type0:
            for descendant in obj.get("/DescendantFonts", Array()):
                descendants.add(descendant.objgen)
            found = _program_of(obj)
            if found is None:
                refused.update(_font_files(obj))
                continue
            by_file.setdefault(found.objgen, _Program(found)).fonts.append(obj)
            fonts[obj.objgen] = found.objgen
        elif subtype in (Name.CIDFontType0, Name.CIDFontType2):
            cid_fonts.append(obj)
        else:
            refused.update(_font_files(obj))
    for cid_font in cid_fonts:
        if cid_font.objgen not in descendants:
            refused.update(_font_files(cid_font))
    return {font: by_file[file] for font, file in fonts.items() if file not in refused}


def _program_of(font: Dictionary) -> pikepdf.Stream | None:
    """The OpenType CFF program of a Type0 font whose codes are glyph ids."""
    descendants = font.get("/DescendantFonts")
    if font.get("/Encoding") != Name("/Identity-H") or not isinstance(descendants, Array) or len(descendants) != 1:
        return None
    cid_font = descendants[0]
    if cid_font.get("/CIDToGIDMap", Name.Identity) != Name.Identity or "/W2" in cid_font:
        return None
    descriptor = cid_font.get("/FontDescriptor")
    if cid_font.get("/Subtype") != Name.CIDFontType0 or not isinstance(descriptor, Dictionary):
        return None
    file = descriptor.get("/FontFile3")
    return file if isinstance(file, pikepdf.Stream) and file.get("/Subtype") == Name.OpenType else None


def _font_files(font: Dictionary) -> Iterator[ObjGen]:
    for member in [font, *font.get("/DescendantFonts", Array())]:
        descriptor = member.get("/FontDescriptor")
        if isinstance(descriptor, Dictionary):
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    yield descriptor[key].objgen


def _content_streams(document: Pdf) -> Iterator[tuple[Object, Object | None]]:
    """Everything that can show text, with its resources: pages, form XObjects (annotation
    appearances and soft masks among them), tiling patterns and Type3 glyphs."""
    for page in document.pages:
        contents = page.obj.get("/Contents")
        if contents is not None:
            owner = contents if isinstance(contents, pikepdf.Stream) else page.obj
            yield owner, _inherited(page.obj, "/Resources")
    for obj in document.objects:
        if isinstance(obj, pikepdf.Stream):
            if obj.get("/Subtype") == Name.Form or obj.get("/PatternType") == 1:
                yield obj, obj.get("/Resources")
            elif "/Resources" in obj:
                raise _Refused("a stream with resources of a kind this stage does not read")
        elif isinstance(obj, Dictionary) and obj.get("/Subtype") == Name.Type3:
            for glyph in obj.get("/CharProcs", Dictionary()).values():
                yield glyph, obj.get("/Resources")


def _inherited(page: Dictionary, key: str) -> Object | None:
    node: Object | None = page
    while isinstance(node, Dictionary):
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _read(owner: Object, resources: Object | None, programs: dict[ObjGen, _Program]) -> _Content:
    """Parses a content stream and notes, for each text-showing instruction drawing with a font
    this stage compacts, the font's program and the glyph ids the program must keep."""
    instructions: Instructions = list(pikepdf.parse_content_stream(owner))
    shows: list[tuple[int, _Program]] = []
    font: ObjGen | None = None
    saved: list[ObjGen | None] = []
    for index, instruction in enumerate(instructions):
        if isinstance(instruction, ContentStreamInlineImage):
            continue
        operator = str(instruction.operator)
        if operator == "q":
            saved.append(font)
        elif operator == "Q" and saved:
            font = saved.pop()
        elif operator == "Tf":
            font = _font(resources, instruction.operands[0])
        elif operator == "gs" and "/Font" in _resource(resources, "/ExtGState", instruction.operands[0]):
            raise _Refused("a font set by a graphics state")
        elif operator in SHOW_TEXT:
            if font is None:
                raise _Refused("text shown with a font set outside its stream")
            program = programs.get(font)
            if program is not None:
                for string in _strings(instruction):
                    program.used.update(_codes(string))
                shows.append((index, program))
    return _Content(owner, instructions, shows)


def _resource(resources: Object | None, category: str, name: Object) -> Dictionary:
    kind = resources.get(category) if isinstance(resources, Dictionary) else None
    value = kind.get(name) if isinstance(kind, Dictionary) and isinstance(name, Name) else None
    if not isinstance(value, Dictionary):
        raise _Refused(f"no {category} resource {name}")
    return value


def _font(resources: Object | None, name: Object) -> ObjGen:
    font = _resource(resources, "/Font", name)
    if not font.is_indirect:
        raise _Refused("a font that is not an object of its own")  # one _programs cannot see
    return font.objgen


def _strings(instruction: ContentStreamInstruction) -> list[String]:
    """The strings a text-showing instruction draws: the last operand, or the strings of its array."""
    shown = instruction.operands[-1]
    if isinstance(shown, String):
        return [shown]
    if str(instruction.operator) == "TJ" and isinstance(shown, Array):
        return [item for item in shown if isinstance(item, String)]
    raise _Refused("a text-showing instruction without text")


def _codes(string: String) -> tuple[int, ...]:
    data = bytes(string)
    if len(data) % 2:
        raise _Refused("an odd byte in two-byte text")
    return struct.unpack(f">{len(data) // 2}H", data)


def _renumbered(string: String, mapping: dict[int, int]) -> String:
    codes = _codes(string)
    return String(struct.pack(f">{len(codes)}H", *(mapping[code] for code in codes)))


def _rewrite_content(
    document: Pdf, content: _Content, mappings: dict[ObjGen, dict[int, int]], written: dict[ObjGen, bytes | None]
) -> None:
    changed = False
    for index, program in content.shows:
        mapping = mappings.get(program.file.objgen)
        if mapping is None:
            continue
        instruction = content.instructions[index]
        assert isinstance(instruction, ContentStreamInstruction)
        operands = list(instruction.operands)
        shown = operands[-1]
        if isinstance(shown, Array):
            operands[-1] = Array([_renumbered(item, mapping) if isinstance(item, String) else item for item in shown])
        elif isinstance(shown, String):
            operands[-1] = _renumbered(shown, mapping)
        content.instructions[index] = ContentStreamInstruction(operands, instruction.operator)
        changed = True
    data = pikepdf.unparse_content_stream(content.instructions) if changed else None
    owner = content.owner
    if isinstance(owner, pikepdf.Stream):
        # A stream drawn in two places (two pages' resources) must read the same in both.
        if written.setdefault(owner.objgen, data) != data:
            raise _Refused("one content stream read two ways")
        if data is not None:
            _write(owner, data)
    elif data is not None:
        owner.Contents = document.make_stream(b"")
        _write(owner.Contents, data)


def _write(stream: Object, data: bytes) -> None:
    stream.write(zlib.compress(data), filter=Name.FlateDecode)


def _cff_subset(opentype: bytes, gids: list[int]) -> tuple[bytes, int, dict[int, int]] | None:
    """A bare CID-keyed CFF program of `gids`, CIDs equal to glyph ids as in WeasyPrint's; its
    glyph count and the old → new glyph ids. None when the font has no glyph to drop.

    PDF readers draw a CIDFontType0 from its CFF and take widths from /W, so the OpenType tables
    around it (63,000 entries each in hmtx and vmtx) only cost bytes. Only the glyphs kept are
    read from the CFF: fontTools reads all 63,000 slots, 60-130 ms a font (measured), more than
    this whole stage takes for a certificate. Charstrings are copied byte for byte, with the
    subroutines and the font dicts they may refer to.
    """
    font = TTFont(io.BytesIO(opentype), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    if "CFF " not in font:
        raise _Refused("an OpenType font without a CFF table")
    raw = font.reader["CFF "]
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(raw), font)
    top = fonts.topDictIndex[0]
    count = top.numGlyphs
    if len(fonts.fontNames) != 1 or "ROS" not in top.rawDict or gids[-1] >= count:
        raise _Refused("not one CID-keyed font holding every glyph shown")
    if len(gids) == count:
        return None
    _require_cids_equal_gids(raw, top.rawDict.get("charset", 0), count, gids)
    charstrings = _Index(raw, top.rawDict["CharStrings"], count)
    # Only the font dicts of kept glyphs: each costs a compile pass and a Private dict.
    selected = [top.FDSelect[gid] for gid in gids]
    dicts = sorted(set(selected))
    top.FDArray.items = [top.FDArray[fd] for fd in dicts]
    del top.FDArray.file, top.FDArray.offsets
    kept_select = FDSelect()
    kept_select.gidArray = [dicts.index(fd) for fd in selected]
    names = [".notdef", *(f"cid{cid:05d}" for cid in range(1, len(gids)))]
    kept = CharStrings(None, None, fonts.GlobalSubrs, None, kept_select, top.FDArray)
    for name, gid, fd in zip(names, gids, kept_select.gidArray, strict=True):
        private = top.FDArray[fd].Private
        kept[name] = T2CharString(bytecode=charstrings[gid], private=private, globalSubrs=fonts.GlobalSubrs)
    top.charset = names
    top.CharStrings = kept
    top.FDSelect = kept_select
    top.CIDCount = len(names)
    out = io.BytesIO()
    fonts.compile(out, font)
    return out.getvalue(), len(names), {gid: new for new, gid in enumerate(gids)}


def _require_cids_equal_gids(cff: bytes, offset: int, count: int, gids: list[int]) -> None:
    """Refuses a font in which a glyph shown has a CID other than its glyph id: codes are CIDs to
    some readers and glyph ids to others, so only where the two agree is the font read one way.
    HarfBuzz keeps them equal, except for glyphs it adds after the last one shown."""
    if offset <= 2:  # a predefined charset, meaningless in a CID-keyed font
        raise _Refused("a CID-keyed font without a charset")
    fmt, position = cff[offset], offset + 1
    if fmt == 0:
        for gid in gids[1:]:
            where = position + 2 * (gid - 1)
            if int.from_bytes(cff[where : where + 2], "big") != gid:
                raise _Refused("a glyph shown whose CID is not its glyph id")
        return
    if fmt not in (1, 2):
        raise _Refused(f"charset format {fmt}")
    starts: list[int] = []  # first glyph id of each range of consecutive CIDs, and its first CID
    cids: list[int] = []
    gid = 1
    while gid < count:
        if position + 2 + fmt > len(cff):
            raise _Refused("a charset past the end of the font")
        starts.append(gid)
        cids.append(int.from_bytes(cff[position : position + 2], "big"))
        gid += int.from_bytes(cff[position + 2 : position + 2 + fmt], "big") + 1
        position += 2 + fmt
    for gid in gids[1:]:
        which = bisect.bisect_right(starts, gid) - 1
        if cids[which] + gid - starts[which] != gid:
            raise _Refused("a glyph shown whose CID is not its glyph id")


class _Index:
    """A CFF INDEX whose items are read one by one, as asked for."""

    def __init__(self, data: bytes, offset: int, count: int) -> None:
        self.data = data
        self.count = int.from_bytes(data[offset : offset + 2], "big")
        self.size = data[offset + 2]
        self.offsets = offset + 3
        self.base = self.offsets + (self.count + 1) * self.size - 1
        if self.count != count or not 1 <= self.size <= 4 or self.base > len(data):
            raise _Refused("a CharStrings INDEX that does not match the font")

    def __getitem__(self, index: int) -> bytes:
        where = self.offsets + index * self.size
        start = int.from_bytes(self.data[where : where + self.size], "big")
        end = int.from_bytes(self.data[where + self.size : where + 2 * self.size], "big")
        if not 1 <= start <= end or self.base + end > len(self.data):
            raise _Refused("a CharStrings INDEX offset out of range")
        return self.data[self.base + start : self.base + end]


def _rewrite_font(
    font: Dictionary, program: ObjGen, mapping: dict[int, int], glyph_count: int, owners: dict[ObjGen, ObjGen]
) -> None:
    """Renumbers the glyph ids in a Type0 font's dictionaries, each object once even when fonts
    share it."""
    cid_font = font.DescendantFonts[0]
    widths = cid_font.get("/W")
    if widths is not None and _first_time(cid_font, program, owners):
        if not isinstance(widths, Array):
            raise _Refused("/W that is not an array")
        cid_font.W = _widths(widths, mapping)
    to_unicode = font.get("/ToUnicode")
    if isinstance(to_unicode, pikepdf.Stream):
        if _first_time(to_unicode, program, owners):
            _write(to_unicode, _to_unicode(to_unicode, mapping))
    elif to_unicode is not None:
        raise _Refused("a ToUnicode that is not a CMap")
    cid_set = cid_font.FontDescriptor.get("/CIDSet")
    if cid_set is not None and _first_time(cid_set, program, owners):
        full, rest = divmod(glyph_count, 8)
        _write(cid_set, b"\xff" * full + (bytes([0xFF << (8 - rest) & 0xFF]) if rest else b""))


def _first_time(obj: Object, program: ObjGen, owners: dict[ObjGen, ObjGen]) -> bool:
    """Whether `obj` is still to be renumbered; refuses an object two programs would renumber."""
    if not obj.is_indirect:
        return True
    owner = owners.get(obj.objgen)
    if owner is None:
        owners[obj.objgen] = program
        return True
    if owner != program:
        raise _Refused("glyph ids shared by two font programs")
    return False


def _widths(widths: Array, mapping: dict[int, int]) -> Array:
    """/W for the new glyph ids, in the one form WeasyPrint writes: `c [w ...]` runs of
    consecutive ids (a `first last w` range is refused)."""
    found: dict[int, Object] = {}
    items = list(widths)
    for first, run in zip(items[::2], items[1::2], strict=True):
        if not isinstance(run, Array):
            raise _Refused("a /W range")
        for offset, width in enumerate(run):
            if int(first) + offset in mapping:
                found[mapping[int(first) + offset]] = width
    runs: list[tuple[int, list[Object]]] = []
    for new in sorted(found):
        if new - 1 not in found:
            runs.append((new, []))
        runs[-1][1].append(found[new])
    return Array([item for start, run in runs for item in (start, Array(run))])


def _to_unicode(cmap: pikepdf.Stream, mapping: dict[int, int]) -> bytes:
    """The ToUnicode CMap of the new glyph ids, each mapped to the text of its old id."""
    text: dict[int, bytes] = {}
    for instruction in pikepdf.parse_content_stream(cmap):
        if isinstance(instruction, ContentStreamInlineImage):
            raise _Refused("an image in a CMap")
        operator = str(instruction.operator)
        operands = list(instruction.operands)
        if operator not in TO_UNICODE_OPERATORS:
            raise _Refused(f"CMap operator {operator}")
        if operator == "endcodespacerange" and [bytes(code) for code in operands] != TWO_BYTE_CODESPACE:
            raise _Refused("a CMap for other than two-byte codes")
        if operator == "endbfchar":
            for source, target in zip(operands[::2], operands[1::2], strict=True):
                code = _code(source)
                if code in mapping:
                    text[mapping[code]] = bytes(target)
    return _cmap(text)


def _code(string: Object) -> int:
    data = bytes(string)
    if len(data) != 2:
        raise _Refused("a CMap code that is not two bytes")
    return int.from_bytes(data, "big")


def _cmap(text: dict[int, bytes]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        "<< /Registry (Adobe)",
        "/Ordering (UCS)",
        "/Supplement 0",
        ">> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <ffff>",
        "endcodespacerange",
    ]
    entries = sorted(text.items())
    for start in range(0, len(entries), CMAP_BATCH):
        batch = entries[start : start + CMAP_BATCH]
        lines.append(f"{len(batch)} beginbfchar")
        lines += [f"<{code:04x}> <{target.hex()}>" for code, target in batch]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")
