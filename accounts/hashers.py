"""Password hashing: bcrypt (SHA-256 pre-hash) with the work factor pinned at 12."""

from django.contrib.auth.hashers import (
    BCryptSHA256PasswordHasher as DjangoBCryptSHA256PasswordHasher,
)


class BCryptSHA256PasswordHasher(DjangoBCryptSHA256PasswordHasher):
    """Same algorithm name as Django's (existing hashes verify); 12 rounds whatever Django's default.

    Hashes with other rounds or algorithms are re-encoded on the next successful login.
    """

    rounds = 12
