"""Logging filter that masks anything shaped like a national number."""

from __future__ import annotations

import logging
import re

# 11 digits, optionally with the usual separators (85.07.30-033.28).
_NATIONAL_NUMBER = re.compile(r"(?<!\d)(\d{2})\.?(\d{2})\.?(\d{2})[-.]?\d{3}\.?\d{2}(?!\d)")


def mask_text(text: str) -> str:
    return _NATIONAL_NUMBER.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}*****", text)


class MaskNationalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
