"""QR codes as PNG (mail attachment) and SVG (web page) without an imaging library.

qrcode computes the matrix; writing a black-and-white PNG needs only zlib.
"""

from __future__ import annotations

import struct
import zlib

import qrcode
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M


def matrix(data: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def png(data: str, scale: int = 8) -> bytes:
    rows = matrix(data)
    size = len(rows) * scale
    raw = bytearray()
    for row in rows:
        line = bytearray([0])  # filter type "none"
        for dark in row:
            line += (b"\x00" if dark else b"\xff") * scale
        raw += bytes(line) * scale

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def svg(data: str, label: str) -> Markup:
    """Inline SVG; `label` is the accessible name (the code in words)."""
    rows = matrix(data)
    n = len(rows)
    path = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(rows) for x, dark in enumerate(row) if dark
    )
    # Markup.format escapes every argument; the template itself is ours.
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" role="img" '
        'aria-label="{label}" shape-rendering="crispEdges">'
        '<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    ).format(n=n, label=label, path=path)
