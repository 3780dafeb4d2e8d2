"""FETCH attributes: sections, partials, BINARY, macros, and the labels responses use."""

from __future__ import annotations

import pytest

from govmail.imap.protocol.commands import Fetch
from govmail.imap.protocol.types import BodySection, FetchItem
from tests.imap.protocol import parse


def items(attributes: bytes) -> tuple[FetchItem, ...]:
    command = parse(b"F1 FETCH 1 " + attributes + b"\r\n")
    assert isinstance(command, Fetch)
    return command.items


def section(**fields: object) -> FetchItem:
    return FetchItem("BODY[]", BodySection(**fields))


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        (b"ENVELOPE", FetchItem("ENVELOPE")),
        (b"flags", FetchItem("FLAGS")),
        (b"INTERNALDATE", FetchItem("INTERNALDATE")),
        (b"RFC822", FetchItem("RFC822")),
        (b"RFC822.HEADER", FetchItem("RFC822.HEADER")),
        (b"RFC822.SIZE", FetchItem("RFC822.SIZE")),
        (b"RFC822.TEXT", FetchItem("RFC822.TEXT")),
        (b"BODY", FetchItem("BODY")),
        (b"BODYSTRUCTURE", FetchItem("BODYSTRUCTURE")),
        (b"UID", FetchItem("UID")),
        (b"MODSEQ", FetchItem("MODSEQ")),
        (b"BODY[]", section()),
        (b"BODY.PEEK[]", section(peek=True)),
        (b"body.peek[]<0.2048>", section(peek=True, partial=(0, 2048))),
        (b"BODY[HEADER]", section(text="HEADER")),
        (b"BODY[TEXT]", section(text="TEXT")),
        (b"BODY[1]", section(part=(1,))),
        (b"BODY[1.2.3]", section(part=(1, 2, 3))),
        (b"BODY[2.MIME]", section(part=(2,), text="MIME")),
        (b"BODY[3.1.HEADER]", section(part=(3, 1), text="HEADER")),
        (b"BODY[4.TEXT]<100.50>", section(part=(4,), text="TEXT", partial=(100, 50))),
        (
            b"BODY.PEEK[HEADER.FIELDS.NOT (Received DKIM-Signature)]",
            section(text="HEADER.FIELDS.NOT", fields=("RECEIVED", "DKIM-SIGNATURE"), peek=True),
        ),
        (
            b'BODY[1.HEADER.FIELDS ("Subject" {4}\r\nDate)]',
            section(part=(1,), text="HEADER.FIELDS", fields=("SUBJECT", "DATE")),
        ),
        (b"BINARY[]", section(binary=True)),
        (
            b"BINARY.PEEK[1.2]<0.4096>",
            section(part=(1, 2), binary=True, peek=True, partial=(0, 4096)),
        ),
        (b"BINARY.SIZE[2]", FetchItem("BINARY.SIZE", BodySection(part=(2,), binary=True))),
    ],
)
def test_single_attribute(attribute, expected):
    assert items(attribute) == (expected,)
    assert items(b"(" + attribute + b")") == (expected,)


def test_apple_mail_style_list_keeps_order_and_duplicates():
    found = items(b"(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER] BODY.PEEK[]<0.2048> UID)")
    assert [item.label() for item in found] == [
        "UID",
        "FLAGS",
        "RFC822.SIZE",
        "BODY[HEADER]",
        "BODY[]<0>",
        "UID",
    ]


@pytest.mark.parametrize(
    ("item", "label"),
    [
        (section(), "BODY[]"),
        (section(peek=True, partial=(10, 20)), "BODY[]<10>"),
        (
            section(part=(1, 2), text="HEADER.FIELDS", fields=("FROM", "TO")),
            "BODY[1.2.HEADER.FIELDS (FROM TO)]",
        ),
        (
            section(text="HEADER.FIELDS.NOT", fields=('X"Y', "A(B")),
            'BODY[HEADER.FIELDS.NOT ("X\\"Y" "A(B")]',
        ),
        (section(part=(3,), text="MIME"), "BODY[3.MIME]"),
        (section(part=(1,), binary=True, peek=True, partial=(0, 5)), "BINARY[1]<0>"),
        (FetchItem("BINARY.SIZE", BodySection(part=(1, 4), binary=True)), "BINARY.SIZE[1.4]"),
        (FetchItem("RFC822.SIZE"), "RFC822.SIZE"),
    ],
)
def test_labels_name_items_as_responses_do(item, label):
    assert item.label() == label


def test_label_of_parsed_header_fields_parses_back():
    (item,) = items(b'BODY.PEEK[HEADER.FIELDS ("X(1)" x-a)]')
    assert item.label() == 'BODY[HEADER.FIELDS ("X(1)" X-A)]'
    (again,) = items(item.label().encode())
    assert again.section == BodySection(text="HEADER.FIELDS", fields=("X(1)", "X-A"))
