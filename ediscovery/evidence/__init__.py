"""Evidence layer: canonical JSON, digests, safe paths, durable store, manifest, custody and
request logs. Everything that touches bytes inside a bag goes through here.
"""

from __future__ import annotations

from ediscovery.evidence.canonical import dumps, dumps_line, dumps_pretty, utc_iso, utc_now
from ediscovery.evidence.custody import (
    ChainProblem,
    CustodyLog,
    default_actor,
    event_hash,
    key_fingerprint,
    verify_chain,
)
from ediscovery.evidence.digest import Digests, MultiHasher, hash_bytes, hash_file, hash_stream
from ediscovery.evidence.manifest import (
    Manifest,
    ManifestEntry,
    load_manifest,
    manifest_bytes,
    validate_manifest,
    write_manifest,
)
from ediscovery.evidence.paths import (
    PAGED_KINDS,
    check_relpath,
    custodians_slug,
    native_path,
    resolve_inside,
    safe_id,
    slug,
)
from ediscovery.evidence.requests_log import RequestLog
from ediscovery.evidence.store import EvidenceStore, StreamWriter, atomic_write

__all__ = [
    "PAGED_KINDS",
    "ChainProblem",
    "CustodyLog",
    "Digests",
    "EvidenceStore",
    "Manifest",
    "ManifestEntry",
    "MultiHasher",
    "RequestLog",
    "StreamWriter",
    "atomic_write",
    "check_relpath",
    "custodians_slug",
    "default_actor",
    "dumps",
    "dumps_line",
    "dumps_pretty",
    "event_hash",
    "hash_bytes",
    "hash_file",
    "hash_stream",
    "key_fingerprint",
    "load_manifest",
    "manifest_bytes",
    "native_path",
    "resolve_inside",
    "safe_id",
    "slug",
    "utc_iso",
    "utc_now",
    "validate_manifest",
    "verify_chain",
    "write_manifest",
]
