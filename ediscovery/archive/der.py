"""The certificate sets of an RFC 3161 response in DER order, for a parser that insists on it.

CMS (RFC 5652) declares ``SignedData.certificates`` and ``crls`` a ``SET OF``, which DER
(X.690 §11.6) orders by encoding. Many Time-Stamp Authorities — OpenSSL given a chain among
them — send the chain in issuing order instead. The signature does not cover that order (it
signs the token's attributes), so sorting the sets changes no signed byte and no length; the
token stored is still the one the TSA sent, and only the parser sees the sorted copy.
"""

from __future__ import annotations

SEQUENCE = 0x30
SET = 0x31
CONTEXT_0 = 0xA0  # [0]: ContentInfo's content (explicit); SignedData's certificates (implicit)
CONTEXT_1 = 0xA1  # [1]: SignedData's crls (implicit)
SET_OF_TAGS = (SET, CONTEXT_0, CONTEXT_1)  # the sets of SignedData's own fields


def _element(data: bytes, start: int, end: int) -> tuple[int, int, int]:
    """(tag, content start, element end) of the DER element at ``start``; ValueError if it is
    not one that ends by ``end``."""
    if start + 2 > end:
        raise ValueError(f"truncated element at byte {start}")
    tag, first = data[start], data[start + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError(f"unexpected high tag number at byte {start}")
    head = start + 2
    if first < 0x80:
        length = first
    elif first == 0x80 or first > 0x84:
        raise ValueError(f"not a definite DER length at byte {start + 1}")
    else:
        count = first & 0x7F
        if head + count > end:
            raise ValueError(f"truncated length at byte {start + 1}")
        length = int.from_bytes(data[head : head + count], "big")
        head += count
    if head + length > end:
        raise ValueError(f"element at byte {start} runs past its container")
    return tag, head, head + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, content start, element end) of each element in ``data[start:end]``."""
    found = []
    while start < end:
        tag, content, stop = _element(data, start, end)
        found.append((tag, start, content, stop))
        start = stop
    return found


def _expect(element: tuple[int, int, int, int] | None, tag: int, what: str) -> tuple[int, int, int, int]:
    if element is None or element[0] != tag:
        raise ValueError(f"{what} is missing or not where RFC 3161 puts it")
    return element


def _der_order(encodings: list[bytes]) -> list[bytes]:
    """X.690 §11.6: ascending as octet strings, the shorter padded with trailing zero octets."""
    width = max((len(e) for e in encodings), default=0)
    return sorted(encodings, key=lambda e: (e.ljust(width, b"\0"), len(e)))


def sorted_sets(response: bytes) -> bytes:
    """``response`` (a DER ``TimeStampResp``) with the sets of its token's ``SignedData`` in DER
    order; the same bytes when they already are, or when it carries no token."""
    data = bytearray(response)
    top = _children(response, 0, len(response))
    if len(top) != 1:
        raise ValueError("not one DER element")
    _, _, content, end = _expect(top[0], SEQUENCE, "TimeStampResp")
    parts = _children(response, content, end)
    if len(parts) < 2:
        return response  # a status only: a refusal carries no token
    _, _, content, end = _expect(parts[1], SEQUENCE, "the time-stamp token")
    info = _children(response, content, end)
    _, _, content, end = _expect(info[1] if len(info) > 1 else None, CONTEXT_0, "the token's content")
    signed = _children(response, content, end)
    _, _, content, end = _expect(signed[0] if signed else None, SEQUENCE, "SignedData")
    for tag, _, inner, stop in _children(response, content, end):
        if tag in SET_OF_TAGS:
            members = [response[s:e] for _, s, _, e in _children(response, inner, stop)]
            data[inner:stop] = b"".join(_der_order(members))
    return bytes(data)
