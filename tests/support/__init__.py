"""Helpers shared by the suite and the drills (processes, database guards); not collected as tests."""
