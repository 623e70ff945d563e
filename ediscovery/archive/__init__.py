"""Archive: 7z sealing of a bag and streaming reads of sealed archives, the only users of py7zr.

:mod:`~ediscovery.archive.sealer` writes and checks archives, :mod:`~ediscovery.archive.reader`
opens, lists and streams them (reporting damaged members precisely),
:mod:`~ediscovery.archive.handoff` runs member sinks on a second thread and
:mod:`~ediscovery.archive.volumes` names split volumes. py7zr's exceptions are translated in
this package into ``ArchiveError`` and ``WrongPasswordError``. Each name is imported on first
use (:mod:`ediscovery.lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ediscovery.lazy import exports

if TYPE_CHECKING:
    from ediscovery.archive.handoff import MemberSink, SinkFactory
    from ediscovery.archive.reader import MemberDamage, MemberInfo, list_members, read_members, scan_members
    from ediscovery.archive.sealer import SealResult, Volume, check_sealed, seal
    from ediscovery.archive.volumes import archive_base, parse_volume_size, volume_paths

__all__ = [
    "MemberDamage",
    "MemberInfo",
    "MemberSink",
    "SealResult",
    "SinkFactory",
    "Volume",
    "archive_base",
    "check_sealed",
    "list_members",
    "parse_volume_size",
    "read_members",
    "scan_members",
    "seal",
    "volume_paths",
]

__getattr__ = exports(
    __name__,
    {
        **dict.fromkeys(("MemberSink", "SinkFactory"), "handoff"),
        **dict.fromkeys(
            ("MemberDamage", "MemberInfo", "list_members", "read_members", "scan_members"), "reader"
        ),
        **dict.fromkeys(("SealResult", "Volume", "check_sealed", "seal"), "sealer"),
        **dict.fromkeys(("archive_base", "parse_volume_size", "volume_paths"), "volumes"),
    },
)
