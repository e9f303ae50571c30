"""Student privacy and data rights (issue 5): access audit, export, deletion, retention, consent,
minimal exposure and moderation escalation. See docs/privacy.md."""
