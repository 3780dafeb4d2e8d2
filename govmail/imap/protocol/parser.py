"""Command lines to command objects: RFC 3501 section 9 and the extensions govmail announces."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from govmail.imap.protocol import commands as c
from govmail.imap.protocol import grammar
from govmail.imap.protocol.cursor import MAX_MODSEQ, Cursor, ParseError, Steps, text
from govmail.imap.protocol.fetch import fetch_items
from govmail.imap.protocol.search import search_program
from govmail.imap.protocol.types import SequenceSet

Handler = Callable[[Cursor, str], Steps[c.Command]]
PlainHandler = Callable[[Cursor, str], c.Command]

_NO_ARGUMENTS: dict[str, Callable[[str], c.Command]] = {
    "CAPABILITY": c.Capability,
    "NOOP": c.Noop,
    "LOGOUT": c.Logout,
    "STARTTLS": c.StartTls,
    "CHECK": c.Check,
    "CLOSE": c.Close,
    "UNSELECT": c.Unselect,
    "IDLE": c.Idle,
    "NAMESPACE": c.Namespace,
    "EXPUNGE": c.Expunge,
}
STATUS_ITEMS = frozenset(
    {"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ", "SIZE"}
)
LIST_SELECT_OPTIONS = frozenset({"SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"})
LIST_RETURN_OPTIONS = frozenset({"SUBSCRIBED", "CHILDREN", "SPECIAL-USE", "STATUS"})
SEARCH_RETURN_OPTIONS = frozenset({"MIN", "MAX", "ALL", "COUNT", "SAVE"})


def tag_of(line: bytes) -> str | None:
    """The tag that starts a command line, or None when the line does not start with one."""
    found = grammar.TAG.match(line)
    if found is None or (found.end() < len(line) and line[found.end()] != grammar.SP):
        return None
    return found.group().decode("ascii")


def command_steps(line: bytes) -> Steps[c.Command]:
    """Parse the command that *line* starts; suspends at each literal (see cursor.Steps)."""
    tag = tag_of(line)
    if tag is None:
        raise ParseError("a command line starts with a tag")
    cur = Cursor(line)
    cur.pos = len(tag)
    cur.expect(b" ", "a command name after the tag")
    name = cur.keyword("a command name")
    if name == "UID":
        cur.expect(b" ", "FETCH, SEARCH, STORE, COPY, MOVE or EXPUNGE after UID")
        name = "UID " + cur.keyword("FETCH, SEARCH, STORE, COPY, MOVE or EXPUNGE after UID")
    if name not in _NO_ARGUMENTS and name not in _PLAIN and name not in _HANDLERS:
        raise ParseError(f"unknown command {name}")
    try:
        if name in _NO_ARGUMENTS:
            command = _NO_ARGUMENTS[name](tag)
        elif name in _PLAIN:
            command = _PLAIN[name](cur, tag)
        else:
            command = yield from _HANDLERS[name](cur, tag)
        cur.end()
    except ParseError as error:
        raise ParseError(f"{name}: {error}") from None
    return command


# -- commands without strings: no literal can appear in them


def _authenticate(cur: Cursor, tag: str) -> c.Authenticate:
    """authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")] (SASL-IR, RFC 4959)."""
    cur.sp()
    mechanism = cur.keyword("a SASL mechanism")
    if not cur.skip(b" "):
        return c.Authenticate(tag, mechanism, None)
    if cur.skip(b"="):
        return c.Authenticate(tag, mechanism, "=")
    initial = cur.match(grammar.BASE64, "a base64 initial response").decode("ascii")
    if not initial:
        raise cur.fail("a base64 initial response")
    return c.Authenticate(tag, mechanism, initial)


def _store(cur: Cursor, tag: str, uid: bool = False) -> c.Store:
    """store = "STORE" SP sequence-set [SP "(" UNCHANGEDSINCE n ")"] SP store-att-flags."""
    cur.sp()
    sequence = cur.sequence_set()
    cur.sp()
    unchanged_since = None
    if cur.skip(b"("):
        modifier = cur.keyword("UNCHANGEDSINCE")
        if modifier != "UNCHANGEDSINCE":
            raise ParseError(f"unknown STORE modifier {modifier}")
        cur.sp()
        unchanged_since = cur.number("a mod-sequence value", limit=MAX_MODSEQ)
        cur.expect(b")", "')' closing the STORE modifiers")
        cur.sp()
    # store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    mode = "+" if cur.skip(b"+") else "-" if cur.skip(b"-") else ""
    action = cur.keyword("FLAGS or FLAGS.SILENT")
    if action not in ("FLAGS", "FLAGS.SILENT"):
        raise ParseError(f"expected FLAGS or FLAGS.SILENT, got {action}")
    cur.sp()
    flags = cur.flag_list() if cur.peek() == ord("(") else (cur.flag(), *_more_flags(cur))
    return c.Store(tag, sequence, mode, action == "FLAGS.SILENT", flags, unchanged_since, uid)


def _more_flags(cur: Cursor) -> list[str]:
    flags = []
    while cur.skip(b" "):
        flags.append(cur.flag())
    return flags


def _enable(cur: Cursor, tag: str) -> c.Enable:
    """enable = "ENABLE" 1*(SP capability)."""
    capabilities = []
    cur.sp()
    capabilities.append(cur.keyword("a capability"))
    while cur.skip(b" "):
        capabilities.append(cur.keyword("a capability"))
    return c.Enable(tag, tuple(capabilities))


def _uid_expunge(cur: Cursor, tag: str) -> c.Expunge:
    """uid-expunge = "UID EXPUNGE" SP sequence-set (RFC 4315)."""
    cur.sp()
    return c.Expunge(tag, uids=cur.sequence_set(), uid=True)


_PLAIN: dict[str, PlainHandler] = {
    "AUTHENTICATE": _authenticate,
    "STORE": _store,
    "UID STORE": partial(_store, uid=True),
    "UID EXPUNGE": _uid_expunge,
    "ENABLE": _enable,
}


# -- commands with strings, which may arrive as literals


def _login(cur: Cursor, tag: str) -> Steps[c.Login]:
    """login = "LOGIN" SP userid SP password."""
    cur.sp()
    user = yield from cur.astring_text("a user name")
    cur.sp()
    password = yield from cur.astring_text("a password")
    return c.Login(tag, user, password)


def _select(cur: Cursor, tag: str, readonly: bool = False) -> Steps[c.Select]:
    """select = "SELECT" SP mailbox [SP "(" select-param *(SP select-param) ")"] (RFC 4466)."""
    cur.sp()
    mailbox = yield from cur.mailbox()
    condstore = False
    qresync = None
    if cur.skip(b" "):
        cur.expect(b"(", "'(' opening the SELECT parameters")
        while True:
            param = cur.keyword("CONDSTORE or QRESYNC")
            if param == "CONDSTORE" and not condstore:
                condstore = True
            elif param == "QRESYNC" and qresync is None:
                cur.sp()
                qresync = _qresync(cur)
            else:
                raise ParseError(f"unknown or repeated SELECT parameter {param}")
            if cur.skip(b")"):
                break
            cur.sp()
    return c.Select(tag, mailbox, condstore, qresync, readonly)


def _examine(cur: Cursor, tag: str) -> Steps[c.Select]:
    return (yield from _select(cur, tag, readonly=True))


def _qresync(cur: Cursor) -> tuple[int, int, SequenceSet | None]:
    """ "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")" (RFC 7162)."""
    cur.expect(b"(", "'(' opening the QRESYNC parameters")
    uidvalidity = cur.nz_number("a UIDVALIDITY")
    cur.sp()
    modseq = cur.number("a mod-sequence value", limit=MAX_MODSEQ)
    known_uids = None
    if cur.skip(b" ") and not cur.line.startswith(b"(", cur.pos):
        known_uids = cur.sequence_set(star=False, last_result=False)
        cur.skip(b" ")
    if cur.skip(b"("):
        # seq-match-data only saves the server work when it keeps few expunge records; the
        # store keeps them all, so it is checked and dropped.
        cur.sequence_set(star=False, last_result=False)
        cur.sp()
        cur.sequence_set(star=False, last_result=False)
        cur.expect(b")", "')' closing the sequence match data")
    cur.expect(b")", "')' closing the QRESYNC parameters")
    return uidvalidity, modseq, known_uids


def _create(cur: Cursor, tag: str) -> Steps[c.Create]:
    """create = "CREATE" SP mailbox [SP "(" "USE" SP "(" [use-attr *(SP use-attr)] ")" ")"]."""
    cur.sp()
    mailbox = yield from cur.mailbox()
    special_use: tuple[str, ...] = ()
    if cur.skip(b" "):
        cur.expect(b"(", "'(' opening the CREATE parameters")
        param = cur.keyword("USE")
        if param != "USE":
            raise ParseError(f"unknown CREATE parameter {param}")
        cur.sp()
        special_use = cur.flag_list()
        cur.expect(b")", "')' closing the CREATE parameters")
    return c.Create(tag, mailbox, special_use)


def _one_mailbox(kind: Callable[[str, str], c.Command]) -> Handler:
    def handler(cur: Cursor, tag: str) -> Steps[c.Command]:
        cur.sp()
        return kind(tag, (yield from cur.mailbox()))

    return handler


def _rename(cur: Cursor, tag: str) -> Steps[c.Rename]:
    cur.sp()
    old = yield from cur.mailbox()
    cur.sp()
    return c.Rename(tag, old, (yield from cur.mailbox()))


def _list(cur: Cursor, tag: str) -> Steps[c.List]:
    """list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]."""
    cur.sp()
    select_options: tuple[str, ...] = ()
    if cur.peek() == ord("("):
        select_options = _options(cur.keyword_list("list selection options"), "selection")
        _check_selection(select_options)
        cur.sp()
    reference = yield from cur.mailbox()
    cur.sp()
    patterns = yield from _patterns(cur)
    return_options: tuple[str, ...] = ()
    status_items: tuple[str, ...] = ()
    if cur.skip(b" "):
        return_options, status_items = _return_options(cur)
    return c.List(tag, reference, patterns, select_options, return_options, status_items)


def _options(words: tuple[str, ...], kind: str) -> tuple[str, ...]:
    known = LIST_SELECT_OPTIONS if kind == "selection" else LIST_RETURN_OPTIONS
    for word in words:
        if word not in known:
            raise ParseError(f"unknown LIST {kind} option {word}")
    return tuple(dict.fromkeys(words))


def _check_selection(options: tuple[str, ...]) -> None:
    # RFC 5258 section 3: RECURSIVEMATCH alone (or with REMOTE only) is a BAD command.
    if "RECURSIVEMATCH" in options and not {"SUBSCRIBED", "SPECIAL-USE"} & set(options):
        raise ParseError("RECURSIVEMATCH needs SUBSCRIBED or SPECIAL-USE")


def _patterns(cur: Cursor) -> Steps[tuple[str, ...]]:
    """mbox-or-pat = list-mailbox / "(" list-mailbox *(SP list-mailbox) ")"."""
    if not cur.skip(b"("):
        return ((yield from cur.list_mailbox()),)
    patterns = [(yield from cur.list_mailbox())]
    while cur.skip(b" "):
        patterns.append((yield from cur.list_mailbox()))
    cur.expect(b")", "')' closing the mailbox patterns")
    return tuple(patterns)


def _return_options(cur: Cursor) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"."""
    if cur.keyword("RETURN") != "RETURN":
        raise ParseError("expected RETURN after the mailbox pattern")
    cur.sp()
    cur.expect(b"(", "'(' opening the return options")
    options: list[str] = []
    status_items: tuple[str, ...] = ()
    while not cur.skip(b")"):
        if options:
            cur.sp()
        option = cur.keyword("a return option")
        options.append(option)
        if option == "STATUS":  # status-option (RFC 5819)
            cur.sp()
            status_items = _status_items(cur)
    return _options(tuple(options), "return"), status_items


def _lsub(cur: Cursor, tag: str) -> Steps[c.Lsub]:
    cur.sp()
    reference = yield from cur.mailbox()
    cur.sp()
    return c.Lsub(tag, reference, (yield from cur.list_mailbox()))


def _status(cur: Cursor, tag: str) -> Steps[c.Status]:
    """status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"."""
    cur.sp()
    mailbox = yield from cur.mailbox()
    cur.sp()
    return c.Status(tag, mailbox, _status_items(cur))


def _status_items(cur: Cursor) -> tuple[str, ...]:
    items = cur.keyword_list("status items")
    if not items:
        raise ParseError("STATUS needs at least one item")
    for item in items:
        if item not in STATUS_ITEMS:
            raise ParseError(f"unknown status item {item}")
    return items


def _append(cur: Cursor, tag: str) -> Steps[c.Append]:
    """append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP append-data."""
    cur.sp()
    mailbox = yield from cur.mailbox()
    cur.sp()
    flags: tuple[str, ...] = ()
    internal_date = None
    if cur.peek() == ord("("):
        flags = cur.flag_list()
        cur.sp()
    if cur.peek() == grammar.DQUOTE:
        internal_date = cur.date_time()
        cur.sp()
    # append-data = literal / literal8 / "UTF8" SP "(" literal8 ")" (RFC 3516, RFC 6855)
    if cur.line[cur.pos : cur.pos + 4].upper() == b"UTF8":
        cur.pos += 4
        cur.sp()
        cur.expect(b"(", "'(' after UTF8")
        message = yield from cur.literal(binary=True)
        cur.expect(b")", "')' closing UTF8 (...)")
    elif cur.peek() in (ord("{"), ord("~")):
        message = yield from cur.literal(binary=True)
    else:
        raise cur.fail("the message as a literal")
    return c.Append(tag, mailbox, flags, internal_date, message)


def _search(cur: Cursor, tag: str, uid: bool = False) -> Steps[c.Search]:
    """search = "SEARCH" [SP "RETURN" SP "(" ...")"] [SP "CHARSET" SP charset] SP search-key..."""
    cur.sp()
    return_options = None
    charset = None
    if cur.line[cur.pos : cur.pos + 7].upper() == b"RETURN ":
        cur.pos += 7
        return_options = _search_return(cur)
        cur.sp()
    if cur.line[cur.pos : cur.pos + 8].upper() == b"CHARSET ":
        cur.pos += 8
        charset = text("a charset", (yield from cur.astring("a charset")))
        cur.sp()
    key = yield from search_program(cur, charset)
    return c.Search(tag, key, charset, return_options, uid)


def _search_return(cur: Cursor) -> tuple[str, ...]:
    """search-return-opts (RFC 4731; SAVE from RFC 5182)."""
    options = cur.keyword_list("search return options")
    for option in options:
        if option not in SEARCH_RETURN_OPTIONS:
            raise ParseError(f"unknown SEARCH return option {option}")
    return tuple(dict.fromkeys(options))


def _fetch(cur: Cursor, tag: str, uid: bool = False) -> Steps[c.Fetch]:
    """fetch = "FETCH" SP sequence-set SP (macro / fetch-att / "(" ... ")") [SP fetch-modifiers]."""
    cur.sp()
    sequence = cur.sequence_set()
    cur.sp()
    items = yield from fetch_items(cur)
    changed_since = None
    vanished = False
    if cur.skip(b" "):
        changed_since, vanished = _fetch_modifiers(cur)
    if vanished and not (uid and changed_since is not None):
        # RFC 7162 section 3.2.6: VANISHED without UID FETCH ... CHANGEDSINCE is a BAD command.
        raise ParseError("VANISHED needs UID FETCH with CHANGEDSINCE")
    return c.Fetch(tag, sequence, items, changed_since, vanished, uid)


def _fetch_modifiers(cur: Cursor) -> tuple[int | None, bool]:
    """fetch-modifiers = "(" fetch-modifier *(SP fetch-modifier) ")": CHANGEDSINCE n, VANISHED."""
    cur.expect(b"(", "'(' opening the FETCH modifiers")
    changed_since = None
    vanished = False
    while True:
        modifier = cur.keyword("CHANGEDSINCE or VANISHED")
        if modifier == "CHANGEDSINCE" and changed_since is None:
            cur.sp()
            changed_since = cur.number("a mod-sequence value", limit=MAX_MODSEQ)
        elif modifier == "VANISHED" and not vanished:
            vanished = True
        else:
            raise ParseError(f"unknown or repeated FETCH modifier {modifier}")
        if cur.skip(b")"):
            return changed_since, vanished
        cur.sp()


def _copy(cur: Cursor, tag: str, uid: bool = False) -> Steps[c.Copy]:
    cur.sp()
    sequence = cur.sequence_set()
    cur.sp()
    return c.Copy(tag, sequence, (yield from cur.mailbox()), uid)


def _move(cur: Cursor, tag: str, uid: bool = False) -> Steps[c.Move]:
    cur.sp()
    sequence = cur.sequence_set()
    cur.sp()
    return c.Move(tag, sequence, (yield from cur.mailbox()), uid)


def _id(cur: Cursor, tag: str) -> Steps[c.Id]:
    """id = "ID" SP ("(" [string SP nstring *(SP string SP nstring)] ")" / nil) (RFC 2971)."""
    cur.sp()
    if cur.line[cur.pos : cur.pos + 3].upper() == b"NIL":
        cur.pos += 3
        return c.Id(tag, None)
    cur.expect(b"(", "'(' or NIL")
    params: list[tuple[str, str | None]] = []
    while not cur.skip(b")"):
        if params:
            cur.sp()
        field = text("an ID field", (yield from cur.string("an ID field name")))
        cur.sp()
        value = yield from cur.nstring("an ID value")
        params.append((field, None if value is None else text("an ID value", value)))
    return c.Id(tag, tuple(params))


_HANDLERS: dict[str, Handler] = {
    "LOGIN": _login,
    "SELECT": _select,
    "EXAMINE": _examine,
    "CREATE": _create,
    "DELETE": _one_mailbox(c.Delete),
    "SUBSCRIBE": _one_mailbox(c.Subscribe),
    "UNSUBSCRIBE": _one_mailbox(c.Unsubscribe),
    "RENAME": _rename,
    "LIST": _list,
    "LSUB": _lsub,
    "STATUS": _status,
    "APPEND": _append,
    "SEARCH": _search,
    "FETCH": _fetch,
    "COPY": _copy,
    "MOVE": _move,
    "ID": _id,
    "UID SEARCH": partial(_search, uid=True),
    "UID FETCH": partial(_fetch, uid=True),
    "UID COPY": partial(_copy, uid=True),
    "UID MOVE": partial(_move, uid=True),
}
