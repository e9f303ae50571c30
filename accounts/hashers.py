"""Password hashing: bcrypt (SHA-256 pre-hash) with the work factor pinned at 12.

Every bcrypt run (verify on sign-in, encode on a password change or on the dummy hash Django runs
for an unknown e-mail) takes a slot of `accounts.hashing`, so a sign-in storm queues briefly
instead of taking every core from the pages.
"""

from django.contrib.auth.hashers import (
    BCryptSHA256PasswordHasher as DjangoBCryptSHA256PasswordHasher,
)

from .hashing import hashing_slot


class BCryptSHA256PasswordHasher(DjangoBCryptSHA256PasswordHasher):
    """Same algorithm name as Django's (existing hashes verify); 12 rounds whatever Django's default.

    Hashes with other rounds or algorithms are re-encoded on the next successful login.
    """

    rounds = 12

    def encode(self, password, salt):
        """The one bcrypt call (`verify` and `harden_runtime` go through it), inside a hashing slot."""
        with hashing_slot():
            return super().encode(password, salt)
