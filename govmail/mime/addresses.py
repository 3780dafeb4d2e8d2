"""RFC 5322 address lists, parsed tolerantly into mailboxes and groups (for display and IMAP)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from govmail.mime.decode import nfc
from govmail.mime.headers import decode_words

# Dovecot's placeholders: a NIL host would make IMAP clients read the address as a group start.
MISSING_MAILBOX = "MISSING_MAILBOX"
MISSING_DOMAIN = "MISSING_DOMAIN"

_LEXEME = re.compile(
    r"\s+|(?P<special>[<>,:;@.])|(?P<literal>\[[^\]]*\]?)|(?P<atom>[^\s<>,:;@.\"(\[]+)"
)

Token = tuple[str, str]  # (kind, text); kind is "atom", "quoted", "comment" or "special"
EnvelopeAddress = list[str | None]


@dataclass
class Address:
    """A decoded mailbox: display name (NFC), local part and domain."""

    name: str | None
    mailbox: str | None
    host: str | None

    @property
    def addr(self) -> str:
        """'mailbox@host', or '' when either half is missing."""
        return f"{self.mailbox}@{self.host}" if self.mailbox and self.host else ""


@dataclass
class RawMailbox:
    """A mailbox as written: the display name is still RFC 2047 encoded."""

    name: str | None
    route: str | None
    mailbox: str | None
    host: str | None


@dataclass
class RawGroup:
    """A named group ('name: a@b, c@d;') of mailboxes."""

    name: str
    members: list[RawMailbox] = field(default_factory=list)


def parse_address_list(text: str) -> list[RawMailbox | RawGroup]:
    """Parse an unfolded address header value; never raises, skips what is not an address."""
    items: list[RawMailbox | RawGroup] = []
    group: RawGroup | None = None
    current: list[Token] = []
    in_angle = False
    for token in _tokenize(text):
        kind, value = token
        if kind == "special" and value in "<>":
            in_angle = value == "<"
        elif kind == "special" and not in_angle and value in ",;":
            _add_mailbox(items, group, current)
            current = []
            if value == ";" and group is not None:
                group = None
            continue
        elif kind == "special" and not in_angle and value == ":" and group is None:
            group = RawGroup(_phrase(current) or "")
            items.append(group)
            current = []
            continue
        current.append(token)
    _add_mailbox(items, group, current)
    return items


def _add_mailbox(
    items: list[RawMailbox | RawGroup], group: RawGroup | None, tokens: list[Token]
) -> None:
    mailbox = _mailbox(tokens)
    if mailbox is None:
        return
    if group is not None:
        group.members.append(mailbox)
    else:
        items.append(mailbox)


def _mailbox(tokens: list[Token]) -> RawMailbox | None:
    """One 'Name <route:local@host>' or 'local@host (Name)'; None when there is nothing."""
    if not any(kind != "comment" for kind, _ in tokens):
        return None
    if ("special", "<") in tokens:
        open_at = tokens.index(("special", "<"))
        close_at = _index(tokens, ("special", ">"), open_at)
        name = _phrase(tokens[:open_at])
        spec = [t for t in tokens[open_at + 1 : close_at] if t[0] != "comment"]
    else:
        comments = [value for kind, value in tokens if kind == "comment"]
        name = comments[-1].strip() if comments else None
        spec = [t for t in tokens if t[0] != "comment"]
    route, spec = _split_route(spec)
    at = _rindex(spec, ("special", "@"))
    local, host = (spec, []) if at < 0 else (spec[:at], spec[at + 1 :])
    return RawMailbox(name or None, route, _join(local) or None, _join(host) or None)


def _split_route(spec: list[Token]) -> tuple[str | None, list[Token]]:
    """Separate an obsolete source route ('@a,@b:') from the addr-spec."""
    if ("special", ":") not in spec:
        return None, spec
    colon = spec.index(("special", ":"))
    return _join(spec[:colon]) or None, spec[colon + 1 :]


def _index(tokens: list[Token], token: Token, start: int) -> int:
    try:
        return tokens.index(token, start)
    except ValueError:
        return len(tokens)


def _rindex(tokens: list[Token], token: Token) -> int:
    for index in range(len(tokens) - 1, -1, -1):
        if tokens[index] == token:
            return index
    return -1


def _phrase(tokens: list[Token]) -> str:
    """A display name as written: words joined by single spaces, quotes and comments removed."""
    out: list[str] = []
    for kind, value in tokens:
        if kind == "comment":
            continue
        if out and not (kind == "special" and value == "."):
            out.append(" ")
        out.append(value)
    return "".join(out).strip()


def _join(tokens: list[Token]) -> str:
    """A local part or domain: tokens concatenated, words not separated by dots get a space."""
    out: list[str] = []
    previous_word = False
    for kind, value in tokens:
        word = kind != "special"
        if word and previous_word:
            out.append(" ")
        out.append(value)
        previous_word = word
    return "".join(out)


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos] == '"':
            value, pos = _read_quoted(text, pos + 1)
            tokens.append(("quoted", value))
        elif text[pos] == "(":
            value, pos = _read_comment(text, pos + 1)
            tokens.append(("comment", value))
        else:
            # Every other character starts one of these lexemes, so a match always exists.
            match = _LEXEME.match(text, pos)
            if match is None:
                break
            if match.lastgroup == "special":
                tokens.append(("special", match.group()))
            elif match.lastgroup is not None:
                tokens.append(("atom", match.group()))
            pos = match.end()
    return tokens


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    out: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return "".join(out), pos + 1
        if char == "\\" and pos + 1 < len(text):
            pos += 1
            char = text[pos]
        out.append(char)
        pos += 1
    return "".join(out), pos


def _read_comment(text: str, pos: int) -> tuple[str, int]:
    """Read a (possibly nested) comment body after its '('; return it and the offset past ')'."""
    out: list[str] = []
    depth = 1
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text):
            out.append(text[pos + 1])
            pos += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if depth == 0:
            return "".join(out), pos + 1
        out.append(char)
        pos += 1
    return "".join(out), pos


def to_addresses(items: list[RawMailbox | RawGroup]) -> list[Address]:
    """Flatten groups and decode display names (RFC 2047, NFC)."""
    mailboxes: list[RawMailbox] = []
    for item in items:
        mailboxes.extend(item.members if isinstance(item, RawGroup) else [item])
    return [Address(_decoded_name(box.name), box.mailbox, box.host) for box in mailboxes]


def _decoded_name(name: str | None) -> str | None:
    if name is None:
        return None
    return nfc(decode_words(name)).strip() or None


def to_envelope(items: list[RawMailbox | RawGroup]) -> list[EnvelopeAddress] | None:
    """RFC 3501 address structures, groups bracketed by [NIL NIL name NIL] and all-NIL."""
    out: list[EnvelopeAddress] = []
    for item in items:
        if isinstance(item, RawGroup):
            out.append([None, None, item.name, None])
            out.extend(_envelope_mailbox(member) for member in item.members)
            out.append([None, None, None, None])
        else:
            out.append(_envelope_mailbox(item))
    return out or None


def _envelope_mailbox(box: RawMailbox) -> EnvelopeAddress:
    return [box.name, box.route, box.mailbox or MISSING_MAILBOX, box.host or MISSING_DOMAIN]
