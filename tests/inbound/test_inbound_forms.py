"""Multipart posts: the boundary search and the email package read every post alike.

``read_multipart`` splits plain posts (as SendGrid and browsers send them) by searching the
boundary, and hands any other shape to the email package; the two must never disagree on a
field, a file or an error, or a payload read at the webhook would read differently in the job.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesHeaderParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.inbound.forms import (
    MalformedPayload,
    _plain_header,
    _read_plain_multipart,
    read_multipart,
    read_multipart_email,
)

BOUNDARY = "xYzZY7c1f"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"

NAMES = st.sampled_from(
    ["headers", "text", "html", "from", "to", "email", "charsets", "attachment1", "x y", ""]
)
# Values that come close to the delimiter, line ends of every kind, bytes of any charset.
VALUES = st.lists(
    st.sampled_from(
        [
            b"Ya pagamos", b"\r\n", b"\n", b"\r", b"--", BOUNDARY.encode(), b"\xe9\xf1",
            b"--" + BOUNDARY.encode(), "pagué".encode(), b" ", b"\t", b"Content-Type: text/plain",
            b"\r\n\r\n", b"\x00\xff", b"=?utf-8?q?x?=", b";", b'"',
        ]
    ),
    max_size=8,
).map(b"".join)  # fmt: skip
HEADER_LINES = st.sampled_from(
    [
        'Content-Disposition: form-data; name="{name}"',
        "Content-Disposition: form-data; name={name}",
        'content-disposition: form-data; name="{name}"; filename="remittance.pdf"',
        'Content-Disposition: form-data; name="{name}"; filename=" padded.pdf "',
        'Content-Disposition: form-data; filename="a.png"; name="{name}"',
        'Content-Disposition: form-data; name="{name}"\r\nContent-Type: application/pdf',
        'Content-Disposition: form-data; name="{name}"\r\nContent-Type: text/plain; charset=utf-8',
        'Content-Disposition: form-data; name="{name}"\r\nContent-Transfer-Encoding: base64',
        'Content-Disposition: form-data; name="{name}"\r\nContent-Type: message/rfc822',
        "Content-Disposition: form-data; name*=utf-8''{name}",
        'Content-Disposition: attachment; name="{name}"',
        'Content-Disposition: form-data; name="<{name}>"',
        'Content-Disposition: form-data; name="{name}"; filename="año.pdf"',
        "Content-Type: text/plain",
    ]
)
PART = st.tuples(HEADER_LINES, NAMES, VALUES)
PLAIN_PART = st.tuples(
    st.sampled_from(
        [
            'Content-Disposition: form-data; name="{name}"',
            'Content-Disposition: form-data; name="{name}"; filename="remittance.pdf"',
            'Content-Disposition: form-data; name="{name}"\r\nContent-Type: application/pdf',
        ]
    ),
    NAMES,
    VALUES,
)
ENDINGS = st.sampled_from(["--\r\n", "--", "--\r\nan epilogue", "\r\n", ""])
LEADS = st.sampled_from(["", "", "a preamble\r\n", "\r\n"])


def _post(parts: list[tuple[str, str, bytes]], ending: str, lead: str) -> bytes:
    body = bytearray(lead.encode())
    for header, name, value in parts:
        body += f"--{BOUNDARY}\r\n{header.format(name=name)}\r\n\r\n".encode() + value + b"\r\n"
    body += f"--{BOUNDARY}{ending}".encode()
    return bytes(body)


def _read(reader: object, body: bytes) -> object:
    try:
        return reader(content_type=CONTENT_TYPE, body=body)  # type: ignore[operator]
    except MalformedPayload:
        return MalformedPayload


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(PART, max_size=5), ending=ENDINGS, lead=LEADS)
def test_both_readings_of_any_post_agree(
    parts: list[tuple[str, str, bytes]], ending: str, lead: str
) -> None:
    body = _post(parts, ending, lead)

    assert _read(read_multipart, body) == _read(read_multipart_email, body)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(PLAIN_PART, max_size=5), ending=ENDINGS)
def test_both_readings_of_any_plain_post_agree(
    parts: list[tuple[str, str, bytes]], ending: str
) -> None:
    body = _post(parts, ending, "")

    assert _read(read_multipart, body) == _read(read_multipart_email, body)


def test_a_sendgrid_post_keeps_its_fields_as_bytes_and_its_files() -> None:
    body = _post(
        [
            ('Content-Disposition: form-data; name="{name}"', "text", "Ya pagué".encode("latin-1")),
            ('Content-Disposition: form-data; name="{name}"', "text", b"second copy"),
            (
                'Content-Disposition: form-data; name="{name}"; filename="advice.pdf"\r\n'
                "Content-Type: application/pdf",
                "attachment1",
                b"%PDF-1.4\r\n--not the boundary\r\n",
            ),
        ],
        "--\r\n",
        "",
    )

    form = read_multipart(content_type=CONTENT_TYPE, body=body)

    assert _read_plain_multipart(CONTENT_TYPE, body) == form  # read without the email package
    assert form == read_multipart_email(content_type=CONTENT_TYPE, body=body)
    assert form.fields == {"text": "Ya pagué".encode("latin-1")}
    assert form.files == (("attachment1", "advice.pdf", b"%PDF-1.4\r\n--not the boundary\r\n"),)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "multipart/form-data", "application/x-www-form-urlencoded; boundary=x"],
)
def test_a_post_that_is_not_multipart_with_a_boundary_is_malformed(content_type: str) -> None:
    with pytest.raises(MalformedPayload):
        read_multipart(content_type=content_type, body=b"--x\r\n\r\n--x--")


def test_a_post_without_named_parts_is_malformed() -> None:
    with pytest.raises(MalformedPayload):
        read_multipart(content_type=CONTENT_TYPE, body=f"--{BOUNDARY}--\r\n".encode())


HEADER_NAMES = st.sampled_from(["Message-ID", "message-id", "MESSAGE-Id", "Subject", "From", ""])
HEADER_VALUES = st.sampled_from(
    ["<a1@x.example>", " <b2@y.example>", "\t<c3@z>", "", " ", "<d4@x> (comment)", "<f6@x>  "]
)
ENDS = st.sampled_from(["\r\n", "\n", "\r"])
HEADER_LINE = st.tuples(HEADER_NAMES, HEADER_VALUES, ENDS).map(lambda t: f"{t[0]}:{t[1]}{t[2]}")
FOLDED = st.tuples(st.sampled_from([" <e5@folded>", "\tmore", " "]), ENDS).map("".join)
# Lines only the email package reads its own way.
ODD = st.sampled_from(
    ["From someone\r\n", "not a header\n", "Name : spaced\r\n", "X-Name: caf\xe9\r\n", " lead\n"]
)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.tuples(HEADER_LINE, st.lists(st.one_of(HEADER_LINE, FOLDED), max_size=6)).map(
        lambda first_and_rest: [first_and_rest[0], *first_and_rest[1]]
    ),
    odd=st.one_of(st.none(), ODD),
    at=st.integers(min_value=0, max_value=6),
    last_end=st.booleans(),
)
def test_the_message_id_read_without_the_email_package_is_the_same(
    lines: list[str], odd: str | None, at: int, last_end: bool
) -> None:
    if odd is not None:
        lines.insert(at, odd)
    head = "".join(lines).encode("latin-1")
    if not last_end:
        head = head.rstrip(b"\r\n")

    plain, value = _plain_header(head, b"message-id")

    if plain:
        expected = BytesHeaderParser(policy=policy.compat32).parsebytes(head).get("Message-ID")
        assert value == (str(expected) if expected is not None else None)
