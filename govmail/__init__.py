"""govmail: mail and document-exchange server for a province's state agencies."""
