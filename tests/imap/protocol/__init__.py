"""Helpers shared by the protocol tests: run bytes through a CommandReader."""

from __future__ import annotations

from govmail.imap.protocol.commands import Command
from govmail.imap.protocol.reader import CommandReader, CommandReady, Event, LiteralRequest


def events(*chunks: bytes, **limits: int) -> list[Event]:
    """Every event of a reader fed *chunks* one after the other, literals granted."""
    reader = CommandReader(**limits)
    found: list[Event] = []
    for chunk in chunks:
        reader.feed(chunk)
        while (event := reader.next_event()) is not None:
            found.append(event)
    return found


def parse(data: bytes) -> Command:
    """The one command *data* holds; fails the test on anything else."""
    found = [event for event in events(data) if not isinstance(event, LiteralRequest)]
    assert len(found) == 1 and isinstance(found[0], CommandReady), found
    return found[0].command
