"""What every export shares: text made safe for XML, and a bounded zip with names we choose.

Names inside a package are built from database ids and fixed words only, never from a title or
any generated text, so an archive can never hold ``../`` or an absolute path (zip-slip) however
the content reads. The package is built in memory and refused past a byte limit before it is
ever sent: a lesson with huge generated text cannot make the server build an unbounded answer.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Characters XML 1.0 cannot carry at all (C0 controls but tab, CR, LF; lone surrogates; the two
# non-characters U+FFFE and U+FFFF). Generated text may contain them; lxml would refuse the whole
# document, so they are dropped rather than turning an export into a server error.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# A fixed timestamp: the same content exports to the same bytes (and diffs cleanly).
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def xml_text(value: object) -> str:
    """``value`` as text XML can hold; escaping of ``<``, ``&`` and quotes is lxml's job."""
    return _NOT_XML.sub("", str(value))


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class ExportTooLarge(Exception):
    """The package would exceed the configured size: the client asked for too much at once."""

    def __init__(self, *, limit: int) -> None:
        super().__init__(
            f"This export would be larger than {limit} bytes; export fewer quizzes at a time"
        )
        self.limit = limit


@dataclass
class Package:
    """Files to zip, checked against ``max_bytes`` (their uncompressed total) as they are added."""

    max_bytes: int
    files: dict[str, bytes] = field(default_factory=dict)
    size: int = 0

    def add(self, name: str, data: bytes) -> None:
        if not _SAFE_NAME.fullmatch(name) or ".." in name.split("/"):
            # Only our own code chooses names: this is a bug, not a client error.
            raise ValueError(f"unsafe name in package: {name!r}")
        if name in self.files:
            raise ValueError(f"duplicate name in package: {name!r}")
        self.size += len(data)
        if self.size > self.max_bytes:
            raise ExportTooLarge(limit=self.max_bytes)
        self.files[name] = data

    def zip_bytes(self) -> bytes:
        """The zip, ``imsmanifest.xml`` first (some importers only look at the first entry)."""
        buffer = io.BytesIO()
        names = sorted(self.files, key=lambda name: (name != "imsmanifest.xml", name))
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, self.files[name])
        return buffer.getvalue()


# Relative, forward slashes, letters, digits, dot, dash, underscore: nothing an unzip resolves
# outside the folder it extracts into.
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")
