"""MIME parsing: raw message bytes to headers, envelope and a part tree with exact byte offsets."""

from govmail.mime.addresses import Address
from govmail.mime.headers import Header
from govmail.mime.message import ParsedMessage
from govmail.mime.part import Part
from govmail.mime.structure import MAX_DEPTH, MAX_PARTS, parse_message

__all__ = ["MAX_DEPTH", "MAX_PARTS", "Address", "Header", "ParsedMessage", "Part", "parse_message"]
