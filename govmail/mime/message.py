"""ParsedMessage: headers, decoded convenience fields and the RFC 3501 ENVELOPE."""

from __future__ import annotations

import base64
import email.utils
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from govmail.mime.addresses import (
    Address,
    EnvelopeAddress,
    RawGroup,
    RawMailbox,
    parse_address_list,
    to_addresses,
    to_envelope,
)
from govmail.mime.headers import Header, first_header, unfold
from govmail.mime.part import Part

EnvelopeField = str | list[EnvelopeAddress] | None


@dataclass
class ParsedMessage:
    """A message (top-level or encapsulated): its headers, its body part and parse defects.

    header_end is the offset in the outermost raw message where this message's body starts.
    """

    headers: list[Header]
    header_end: int
    body: Part
    defects: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        """The decoded value of the first header called `name` (case-insensitive)."""
        header = first_header(self.headers, name)
        return None if header is None else header.value

    def get_all(self, name: str) -> list[str]:
        """The decoded values of every header called `name`, in order."""
        wanted = name.lower()
        return [header.value for header in self.headers if header.name.lower() == wanted]

    @property
    def subject(self) -> str | None:
        return self.get("subject")

    @property
    def message_id(self) -> str | None:
        """The Message-ID as written (angle brackets kept), or None when absent or empty."""
        return self._envelope_string("message-id") or None

    @property
    def date(self) -> datetime | None:
        """The Date header as an aware datetime (UTC when the zone is unknown), else None."""
        value = self.get("date")
        if not value:
            return None
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (ValueError, TypeError, IndexError, OverflowError):
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    @property
    def from_(self) -> list[Address]:
        return to_addresses(self._address_items("from"))

    @property
    def to(self) -> list[Address]:
        return to_addresses(self._address_items("to"))

    @property
    def cc(self) -> list[Address]:
        return to_addresses(self._address_items("cc"))

    @property
    def bcc(self) -> list[Address]:
        return to_addresses(self._address_items("bcc"))

    @property
    def reply_to(self) -> list[Address]:
        return to_addresses(self._address_items("reply-to"))

    @property
    def sender(self) -> list[Address]:
        return to_addresses(self._address_items("sender"))

    def attachments(self) -> list[Part]:
        """Parts a mail client would list as attachments (encapsulated messages not entered)."""
        return [part for part in self.body.walk() if part.is_attachment()]

    def envelope(self) -> list[EnvelopeField]:
        """RFC 3501 ENVELOPE: [date, subject, from, sender, reply-to, to, cc, bcc,
        in-reply-to, message-id]; strings unfolded but not RFC 2047 decoded, None for NIL.
        """
        from_ = self._envelope_addresses("from")
        return [
            self._envelope_string("date"),
            self._envelope_string("subject"),
            from_,
            self._envelope_addresses("sender") or from_,
            self._envelope_addresses("reply-to") or from_,
            self._envelope_addresses("to"),
            self._envelope_addresses("cc"),
            self._envelope_addresses("bcc"),
            self._envelope_string("in-reply-to"),
            self._envelope_string("message-id"),
        ]

    def _envelope_string(self, name: str) -> str | None:
        header = first_header(self.headers, name)
        return None if header is None else unfold(header.raw).strip()

    def _envelope_addresses(self, name: str) -> list[EnvelopeAddress] | None:
        return to_envelope(self._address_items(name))

    def _address_items(self, name: str) -> list[RawMailbox | RawGroup]:
        header = first_header(self.headers, name)
        return [] if header is None else parse_address_list(unfold(header.raw))

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (raw header bytes as base64); from_json(m.to_json()) == m."""
        return {
            "headers": [
                {
                    "name": header.name,
                    "raw": base64.b64encode(header.raw).decode("ascii"),
                    "value": header.value,
                }
                for header in self.headers
            ],
            "header_end": self.header_end,
            "body": self.body.to_json(),
            "defects": list(self.defects),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedMessage:
        """Rebuild a ParsedMessage from to_json() output."""
        return cls(
            headers=[
                Header(item["name"], base64.b64decode(item["raw"]), item["value"])
                for item in data["headers"]
            ],
            header_end=data["header_end"],
            body=Part.from_json(data["body"]),
            defects=list(data.get("defects", [])),
        )
