"""proportionality checks."""
