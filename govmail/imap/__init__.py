"""The IMAP4rev1 door: protocol parsing, sessions, commands and the listener."""
