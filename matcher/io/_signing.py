"""HMAC-SHA256 signatures of manifests: files written by a holder of the key, and no one else.

A manifest (a JSON object) lists what a folder or a model file holds, with the SHA-256 of each
file. Signing it with a secret key and checking the signature *before* anything is unpickled
means that a file put in place by someone without the key (or changed after it was written) is
refused without running any of its code. The signature covers the manifest's canonical JSON
(sorted keys, no whitespace) without the ``signature`` field itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from ..exceptions import ModelError

__all__ = ["SIGNATURE_FIELD", "file_sha256", "sign", "verify"]

SIGNATURE_FIELD = "signature"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical(manifest: dict[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != SIGNATURE_FIELD}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _key_bytes(key: str | bytes) -> bytes:
    data = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(data) < 16:
        raise ModelError("签名密钥太短：至少 16 个字节")
    return data


def sign(manifest: dict[str, Any], key: str | bytes) -> dict[str, Any]:
    """The manifest with its ``signature`` (``hmac-sha256:<hex>``) added."""
    mac = hmac.new(_key_bytes(key), _canonical(manifest), hashlib.sha256).hexdigest()
    return {**manifest, SIGNATURE_FIELD: f"hmac-sha256:{mac}"}


def verify(manifest: dict[str, Any], key: str | bytes, *, what: str) -> None:
    """Refuse (``ModelError``) a manifest that is unsigned or whose signature does not match."""
    signature = manifest.get(SIGNATURE_FIELD)
    if not isinstance(signature, str) or not signature.startswith("hmac-sha256:"):
        raise ModelError(f"{what} 没有签名：只加载由持有服务器密钥的程序写出的文件，拒绝加载")
    expected = sign(manifest, key)[SIGNATURE_FIELD]
    if not hmac.compare_digest(signature, expected):
        raise ModelError(
            f"{what} 的签名不符：文件由其他密钥写出或写出后被修改，拒绝加载（未执行其中任何代码）"
        )
