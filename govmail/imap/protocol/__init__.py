"""Sans-IO IMAP: bytes in, command objects and events out; response values in, bytes out."""
