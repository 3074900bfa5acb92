"""The password hasher of the test settings: Django's PBKDF2 with one iteration.

Production keeps Django's default (1,000,000 iterations, ~0.8 s per hash on CI), which made
fixtures creating thousands of users the largest cost of the suite. The algorithm name stays
`pbkdf2_sha256`, so the product processes the end-to-end tests start (development settings,
default hashers) still verify these hashes: PBKDF2 reads the iteration count from the hash.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1
