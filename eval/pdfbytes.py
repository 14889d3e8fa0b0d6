"""A minimal PDF written by hand, for benchmarks and tests that need PDFs of a given
shape (many pages, one huge stream) without a PDF library."""

from __future__ import annotations


def pdf_document(objects: list[bytes]) -> bytes:
    """The objects numbered from 1 (1 is the catalog), with their cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
