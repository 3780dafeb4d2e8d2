"""The selected mailbox as one session sees it: sequence numbers, cached flags, and the untagged
updates (EXISTS, EXPUNGE, VANISHED, FETCH FLAGS) owed to the client when others change it."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from govmail.imap.protocol.types import Atom, SequenceSet
from govmail.store.entries import Changes, EntryState


@dataclass
class SelectedMailbox:
    """A session's view. Sequence number n is uids[n - 1]; the view changes only when the
    session reports the change to its client, as RFC 3501 5.2 and 7.4.1 require."""

    mailbox_id: int
    name: str
    readonly: bool  # opened read-only: EXAMINE, or a folder clients may not change
    uidvalidity: int
    uidnext: int
    modseq: int
    folder_read_only: bool  # a folder the server fills (the register's books)
    uids: list[int] = field(default_factory=list)
    flags: dict[int, frozenset[str]] = field(default_factory=dict)
    modseqs: dict[int, int] = field(default_factory=dict)
    # Expunged by others while an EXPUNGE response was not allowed: reported later.
    pending_expunge: set[int] = field(default_factory=set)
    # The UIDs of the last SEARCH RETURN (SAVE), which "$" names (RFC 5182).
    saved: list[int] = field(default_factory=list)
    # One object per distinct flag set: a mailbox of 10,000 messages has a handful of them,
    # and a session keeps its view for hours.
    _flag_sets: dict[frozenset[str], frozenset[str]] = field(default_factory=dict, repr=False)

    def keep(self, uid: int, flags: frozenset[str], modseq: int) -> None:
        """Record a message's flags and MODSEQ in the view."""
        self.flags[uid] = self._flag_sets.setdefault(flags, flags)
        self.modseqs[uid] = modseq

    @classmethod
    def load(
        cls,
        mailbox_id: int,
        name: str,
        readonly: bool,
        uidvalidity: int,
        uidnext: int,
        highestmodseq: int,
        entries: Iterable[EntryState],
        folder_read_only: bool,
    ) -> SelectedMailbox:
        view = cls(
            mailbox_id,
            name,
            readonly or folder_read_only,
            uidvalidity,
            uidnext,
            highestmodseq,
            folder_read_only,
        )
        for entry in entries:
            view.uids.append(entry.uid)
            view.keep(entry.uid, entry.flags, entry.modseq)
        return view

    @property
    def exists(self) -> int:
        return len(self.uids)

    def seq_of(self, uid: int) -> int | None:
        index = bisect.bisect_left(self.uids, uid)
        return index + 1 if index < len(self.uids) and self.uids[index] == uid else None

    def resolve(self, sequence: SequenceSet, uid: bool) -> list[int]:
        """The UIDs a sequence set names, ascending; UID sets skip UIDs that do not exist."""
        if sequence.last_result:
            return [u for u in self.saved if u in self.flags]
        if not self.uids:
            return []
        if uid:
            spans = sequence.spans(self.uids[-1])
            return [u for u in self.uids if any(lo <= u <= hi for lo, hi in spans)]
        return [self.uids[n - 1] for n in sequence.values(len(self.uids))]

    def valid_sequence(self, sequence: SequenceSet) -> bool:
        """A message sequence number above EXISTS is an error (RFC 3501 9, seq-number)."""
        return all(
            (hi is None or hi <= self.exists) and (lo is None or lo <= self.exists)
            for lo, hi in sequence.ranges
        )

    def apply(self, changes: Changes, allow_expunge: bool, qresync: bool) -> list[bytes]:
        """Fold *changes* into the view and return the untagged responses that report them."""
        lines: list[bytes] = []
        gone = set(changes.expunged) & set(self.flags)
        self.pending_expunge |= gone
        if allow_expunge and self.pending_expunge:
            lines += self._report_expunges(qresync)
        new = [e for e in changes.changed if e.uid not in self.flags and e.uid >= self.uidnext]
        for entry in changes.changed:
            if entry.uid in self.pending_expunge or entry.uid not in self.flags:
                continue
            changed = self.flags[entry.uid] != entry.flags
            self.keep(entry.uid, entry.flags, entry.modseq)
            if changed:
                lines.append(self.flags_line(entry.uid, with_uid=True))
        if new:
            for entry in sorted(new, key=lambda e: e.uid):
                self.uids.append(entry.uid)
                self.keep(entry.uid, entry.flags, entry.modseq)
            self.uidnext = max(self.uidnext, self.uids[-1] + 1)
            lines.append(b"* %d EXISTS\r\n" % self.exists)
        self.modseq = max(self.modseq, changes.highestmodseq)
        return lines

    def remove(self, uids: Iterable[int], qresync: bool) -> list[bytes]:
        """Forget UIDs this session expunged itself and return the responses that say so."""
        self.pending_expunge |= set(uids) & set(self.flags)
        return self._report_expunges(qresync)

    def _report_expunges(self, qresync: bool) -> list[bytes]:
        gone = sorted(self.pending_expunge)
        self.pending_expunge = set()
        if qresync:
            lines = [vanished(gone, earlier=False)]
        else:
            lines = []
            # Highest first, so every number sent is still right when the client reads it.
            for uid in reversed(gone):
                seq = self.seq_of(uid)
                if seq is not None:
                    lines.append(b"* %d EXPUNGE\r\n" % seq)
        for uid in gone:
            self.flags.pop(uid, None)
            self.modseqs.pop(uid, None)
        self.uids = [u for u in self.uids if u in self.flags]
        return lines

    def flags_line(self, uid: int, with_uid: bool, modseq: bool = False) -> bytes:
        seq = self.seq_of(uid)
        items = [b"FLAGS " + format_flags(self.flags[uid])]
        if with_uid:
            items.insert(0, b"UID %d" % uid)
        if modseq:
            items.append(b"MODSEQ (%d)" % self.modseqs[uid])
        return b"* %d FETCH (%s)\r\n" % (seq or 0, b" ".join(items))


def vanished(uids: Iterable[int], earlier: bool) -> bytes:
    """RFC 7162 VANISHED; (EARLIER) when it answers for the past rather than reports now."""
    marker = b"(EARLIER) " if earlier else b""
    return b"* VANISHED " + marker + str(SequenceSet.from_values(sorted(uids))).encode() + b"\r\n"


def format_flags(flags: Iterable[str]) -> bytes:
    return b"(" + " ".join(sorted(Atom(f) for f in flags)).encode() + b")"
