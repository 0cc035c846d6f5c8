"""Where each site's report files go: a directory, or an S3-compatible bucket (boto3).

Every attempt writes under a prefix of its own (`<run>/<site>/attempt-<n>/`), and the prefix is
recorded in the same transaction as the site's result: a reader follows the recorded prefix
only, so an attempt that died half-way through its upload leaves nothing anyone reads.
"""

from __future__ import annotations

import os
import re
import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ArtifactsError(Exception):
    """The artefacts location cannot be used (one line)."""


def site_dir(site: str) -> str:
    """A site's origin as one safe path segment (`https_www.shop.test_8443`)."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", site).strip("_")


def attempt_prefix(run: str, site: str, attempt: int) -> str:
    """The relative prefix of one attempt's files."""
    return f"{site_dir(run)}/{site_dir(site)}/attempt-{attempt}"


class Storage(ABC):
    """A place for report files."""

    @abstractmethod
    def put(self, local: Path, prefix: str) -> str:
        """Copy the files of directory `local` under `prefix`; returns the location to record."""

    @abstractmethod
    def get(self, location: str, name: str) -> bytes | None:
        """One file of a recorded location (None when it is not there)."""


class DirectoryStorage(Storage):
    """Report files in a directory tree (local disk, NFS, a mounted volume)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def put(self, local: Path, prefix: str) -> str:
        """Copied beside the target, then renamed into place in one step."""
        target = self.root / prefix
        staging = target.with_name(f".{target.name}.{os.getpid()}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(local, staging)
        shutil.rmtree(target, ignore_errors=True)  # an earlier try of this very attempt
        staging.rename(target)
        return str(target)

    def get(self, location: str, name: str) -> bytes | None:
        """A file of a recorded attempt directory."""
        path = Path(location) / name
        return path.read_bytes() if path.is_file() else None


class S3Storage(Storage):
    """Report files in an S3-compatible bucket: `s3://bucket/prefix`. The endpoint (MinIO,
    Ceph, a local test server) comes from `AWS_ENDPOINT_URL`, credentials from boto3's usual
    places."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if not parts.netloc:
            raise ArtifactsError(f"--artifacts {url}: use s3://bucket/prefix")
        self.bucket = parts.netloc
        self.base = parts.path.strip("/")
        try:
            import boto3
        except ImportError:
            raise ArtifactsError(
                "--artifacts s3://: install boto3 (pip install 'complyscan[s3]')"
            ) from None
        self.client: Any = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))

    def _key(self, prefix: str, name: str) -> str:
        return "/".join(part for part in (self.base, prefix, name) if part)

    def put(self, local: Path, prefix: str) -> str:
        """Each file uploaded under the attempt's own prefix."""
        for path in sorted(local.rglob("*")):
            if path.is_file():
                key = self._key(prefix, path.relative_to(local).as_posix())
                self.client.upload_file(str(path), self.bucket, key)
        return f"s3://{self.bucket}/{self._key(prefix, '')}"

    def get(self, location: str, name: str) -> bytes | None:
        """A file of a recorded attempt prefix."""
        parts = urlsplit(location)
        key = f"{parts.path.strip('/')}/{name}"
        try:
            body = self.client.get_object(Bucket=parts.netloc, Key=key)["Body"]
        except Exception:  # boto3's ClientError for a missing key, among others
            return None
        data: bytes = body.read()
        return data


def open_storage(spec: str) -> Storage:
    """`s3://bucket/prefix` or a directory."""
    if spec.startswith("s3://"):
        return S3Storage(spec)
    if "://" in spec:
        raise ArtifactsError(f"--artifacts {spec}: a directory or s3://bucket/prefix")
    return DirectoryStorage(Path(spec))
