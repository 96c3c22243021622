"""Test fixtures shipped with the package (not on any runtime path): the tiny offline model and the sandbox attack catalogue."""
