"""Scales: the sizes of synthetic tenant the sandbox generates, and the span their records cover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

CUSTODIAN_EMAIL = "alice@example.com"
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
END = datetime(2026, 11, 15, 18, 0, tzinfo=UTC)
DST_ANCHORS = (
    datetime(2026, 3, 8, 6, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 45, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 50, tzinfo=UTC),
    datetime(2026, 11, 1, 6, 40, tzinfo=UTC),
)
RECIPES = ("plain", "code", "tool", "i18n", "plain", "tool")


@dataclass(frozen=True)
class Scale:
    extra_users: int
    custodian_chats: int
    other_chats: int
    messages: tuple[int, int]
    noise_activities: int
    big_files: int = 0
    big_file_size: int = 0


SCALES = {
    "tiny": Scale(extra_users=1, custodian_chats=12, other_chats=2, messages=(2, 6), noise_activities=200),
    "small": Scale(extra_users=5, custodian_chats=40, other_chats=5, messages=(2, 10), noise_activities=800),
    "medium": Scale(
        extra_users=17, custodian_chats=150, other_chats=8, messages=(4, 16), noise_activities=3000
    ),
    "large": Scale(
        extra_users=37,
        custodian_chats=300,
        other_chats=18,
        messages=(40, 60),
        noise_activities=10000,
        big_files=100,
        big_file_size=10 * 1024 * 1024,
    ),
}
