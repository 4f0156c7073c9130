"""The web timeline for people (SPEC §11): server-rendered pages, a small script, and their assets."""
