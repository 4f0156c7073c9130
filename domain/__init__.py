"""The write side's rules, with no database: entries and commands, the fold of SPEC §4 (view), one
decide function per command (decide), the application that gets, decides and appends (application),
and the port it appends through (ports). Nothing here imports a driver or eventsourcing's persistence."""
