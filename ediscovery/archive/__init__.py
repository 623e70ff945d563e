"""Archive: 7z sealing of a bag and streaming reads of sealed archives, the only users of py7zr.

:mod:`~ediscovery.archive.sealer` writes and checks archives, :mod:`~ediscovery.archive.reader`
opens, lists and streams them (reporting damaged members precisely),
:mod:`~ediscovery.archive.handoff` runs member sinks on a second thread and
:mod:`~ediscovery.archive.volumes` names split volumes. py7zr's exceptions are translated in
this package into ``ArchiveError`` and ``WrongPasswordError``.
"""

from __future__ import annotations

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
