"""The verdict on a file that cannot be read at all, with its reason in both languages."""

from __future__ import annotations


class UnreadableFile(Exception):  # noqa: N818 — a verdict on a file, not a program fault
    """A file that cannot be read at all; carries the rule it breaks and a bilingual reason."""

    def __init__(self, rule_id: str, message_zh: str, message_en: str):
        super().__init__(f"{message_zh} / {message_en}")
        self.rule_id = rule_id
        self.message_zh = message_zh
        self.message_en = message_en
