"""Who exists and who may log in: address syntax, passwords, directory look-ups, login limits."""
