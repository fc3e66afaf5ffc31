"""Test-wide settings.

The sample export carries (fictitious) personnummer, so loading it needs a pseudonymisation key.
Tests use a fixed key from the environment and never create a key file in the user's home.
"""

from __future__ import annotations

import os

os.environ.setdefault("EVALUATION_PSEUDONYM_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
