"""The document register: filing, extraction, recognition, numbering, search and books."""
