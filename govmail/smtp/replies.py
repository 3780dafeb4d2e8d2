"""Enhanced status codes (RFC 3463) for the replies aiosmtpd writes itself, which carry none."""

from __future__ import annotations

TOO_BIG = "552 5.3.4 Message too big / Thư vượt quá dung lượng cho phép"

# Matched by prefix, first match wins; the replacement keeps aiosmtpd's reply code.
_BUILTIN: tuple[tuple[str, str], ...] = (
    ("250 OK", "250 2.0.0 OK"),
    ("221 Bye", "221 2.0.0 Bye"),
    ("220 Ready to start TLS", "220 2.0.0 Ready to start TLS"),
    ("454 TLS not available", "454 4.7.0 TLS not available"),
    ("552 Error: Too much mail data", TOO_BIG),
    ("552 Error: message size exceeds", TOO_BIG),
    ("500 Line too long", "500 5.5.2 Line too long (RFC 5321 4.5.3.1.6)"),
    ("500 Command line too long", "500 5.5.2 Command line too long"),
    ("500 Error: bad syntax", "500 5.5.2 Syntax error"),
    ("500 Error: strict ASCII mode", "500 5.6.7 Non-ASCII data without SMTPUTF8"),
    ("500 Error: command", "500 5.5.1 Command not recognized"),
    ("503 Error: send", "503 5.5.1 Send EHLO first"),
    ("503 Error: need MAIL", "503 5.5.1 Need MAIL command first"),
    ("503 Error: need RCPT", "503 5.5.1 Need RCPT command first"),
    ("503 Error: nested MAIL", "503 5.5.1 Nested MAIL command"),
    ("503 Already authenticated", "503 5.5.1 Already authenticated"),
    ("530 Must issue a STARTTLS", "530 5.7.0 Must issue a STARTTLS command first"),
    ("554 Command refused due to lack of security", "554 5.7.0 TLS negotiation failed"),
    ("501 Error: BODY", "501 5.5.4 BODY must be 7BIT or 8BITMIME"),
    ("501 Error: SMTPUTF8", "501 5.5.4 SMTPUTF8 takes no argument"),
    ("501 Not enough value", "501 5.5.4 Syntax: AUTH mechanism [initial-response]"),
    ("501 Too many values", "501 5.5.4 Syntax: AUTH mechanism [initial-response]"),
    ("555 ", "555 5.5.4 Parameters not recognized"),
    ("502 EXPN", "502 5.5.1 EXPN not available"),
)


def enhance(reply: str) -> str:
    """Give a built-in aiosmtpd reply its enhanced status code; other replies pass unchanged."""
    for prefix, replacement in _BUILTIN:
        if reply.startswith(prefix):
            return replacement
    if reply.startswith("501 Syntax:"):
        return "501 5.5.4" + reply[3:]
    return reply
