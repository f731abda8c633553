"""Provenance on every staged file: IPTC's digital source type and a signed C2PA manifest.

Each rendition is encoded with an XMP packet that says
``Iptc4xmpExt:DigitalSourceType`` = ``compositeWithTrainedAlgorithmicMedia``
(what listing sites and image search read), then signed with the official
``c2pa-python`` SDK. The manifest records the edit (``c2pa.opened`` on the
original, added as the parent ingredient, then ``c2pa.edited`` with that
digital source type and the engine as software agent) and a
``com.stagecraft.staging`` assertion with the original's SHA-256, the engine,
the model and the staging's id.

The signing certificate chain and key come from ``STAGING_C2PA_CERT_PATH`` and
``STAGING_C2PA_KEY_PATH``. Outside production a missing pair is made on first
use, as ``manage.py create_provenance_certificate`` makes it: a development CA
and a leaf signed by it (C2PA validators refuse a self-signed leaf). Such files
read back as *Valid* but not *Trusted*; production points the settings at a
certificate from a CA on the C2PA trust list. Nothing here reaches the network:
no timestamp authority, no OCSP, no remote manifests.
"""

import datetime
import fcntl
import hashlib
import io
import json
import os
import tempfile
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from config.errors import ApplicationError

DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
ASSERTION = "com.stagecraft.staging"
XMP_PACKET = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">'
    f"<Iptc4xmpExt:DigitalSourceType>{DIGITAL_SOURCE_TYPE}</Iptc4xmpExt:DigitalSourceType>"
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
# The SDK fetches a manifest named by a file's XMP ``dcterms:provenance`` URL
# by default. The original is a user's upload, so that URL would make the
# worker request any address the user wrote (measured: it does). OCSP is off
# for the same reason. c2pa's own thumbnails of the file and its ingredient
# would add a JPEG encode of 12 megapixels per rendition; the renditions are
# images already.
SDK_SETTINGS = {
    "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
    "builder": {"thumbnail": {"enabled": False}},
}


class ProvenanceUnavailable(ApplicationError):
    code = "PROVENANCE_UNAVAILABLE"
    status = 503
    default_message = ("Staged files cannot be signed: no C2PA certificate. Run manage.py "
                       "create_provenance_certificate, or set STAGING_C2PA_CERT_PATH and STAGING_C2PA_KEY_PATH.")


@dataclass(frozen=True)
class Stamped:
    """The signed file and the summary the API answers as ``provenance``."""

    content: bytes
    manifest: dict


@dataclass(frozen=True)
class _LoadedSigner:
    signer: object
    common_name: str


_lock = threading.Lock()
_signers: dict[tuple, _LoadedSigner] = {}


def stamp(content: bytes, *, mime: str, title: str, original: bytes, original_mime: str, engine: str, model: str,
          staging_id: str) -> Stamped:
    """Sign ``content`` (already carrying ``XMP_PACKET``) with a C2PA manifest of the edit.

    ``original`` is the unstaged photo: its SHA-256 goes in the manifest and
    it becomes the parent ingredient (keeping its own C2PA manifest, if it has
    one). Raises ``ProvenanceUnavailable`` when no certificate is configured
    (in production) or the configured one cannot sign.
    """
    import c2pa

    original_sha256 = hashlib.sha256(original).hexdigest()
    label = f"urn:c2pa:{uuid.uuid4()}"
    definition = _definition(label=label, title=title, mime=mime, original_sha256=original_sha256, engine=engine,
                             model=model, staging_id=staging_id)
    ingredient = {"title": "original", "format": original_mime, "relationship": "parentOf", "label": "original"}
    loaded = _signer()
    builder = c2pa.Builder(json.dumps(definition), context=_context())
    try:
        builder.add_ingredient(ingredient, original_mime, io.BytesIO(original))
    except c2pa.C2paError:
        # The upload carries C2PA data the SDK cannot decode (a broken camera
        # or editor manifest). Name the parent without reading it rather than
        # fail the staging; its hash is in our assertion all the same.
        builder = c2pa.Builder(json.dumps({**definition, "ingredients": [ingredient]}), context=_context())
    signed = io.BytesIO()
    try:
        builder.sign(loaded.signer, mime, io.BytesIO(content), signed)
    except c2pa.C2paError as exc:
        raise ProvenanceUnavailable(f"C2PA signing failed: {exc}") from exc
    return Stamped(content=signed.getvalue(), manifest={
        "standard": "C2PA", "manifest_label": label, "digital_source_type": DIGITAL_SOURCE_TYPE,
        "signed_by": loaded.common_name, "original_sha256": original_sha256, "engine": engine, "model": model,
        "actions": ["c2pa.opened", "c2pa.edited"],
    })


def read_provenance(content: bytes, *, mime: str | None = None) -> dict:
    """The C2PA manifest of a file, summarised as ``stamp`` does, with the validator's verdict.

    ``mime`` is detected from the bytes when not given. ``validation_state`` is
    ``Trusted``, ``Valid`` (signed and intact, chain not on the trust list, as
    with the development certificate, which also lists
    ``signingCredential.untrusted`` in ``failures``) or ``Invalid`` (the file
    changed after signing). ``{}`` when the file carries no manifest; a
    manifest the SDK cannot parse raises ``c2pa.C2paError``.
    """
    import c2pa

    reader = c2pa.Reader.try_create(mime, io.BytesIO(content), None, _context())
    if reader is None:
        return {}
    store = json.loads(reader.json())
    active = reader.get_active_manifest() or {}
    assertions = {item["label"]: item.get("data", {}) for item in active.get("assertions", [])}
    actions = next((data["actions"] for label, data in assertions.items() if label.startswith("c2pa.actions")), [])
    staging = assertions.get(ASSERTION, {})
    failures = (reader.get_validation_results() or {}).get("activeManifest", {}).get("failure", [])
    signature = active.get("signature_info", {})
    return {
        "standard": "C2PA",
        "manifest_label": store.get("active_manifest"),
        "digital_source_type": next((a.get("digitalSourceType") for a in actions if a.get("digitalSourceType")), None),
        "signed_by": signature.get("common_name") or signature.get("issuer"),
        "original_sha256": staging.get("original_sha256"),
        "engine": staging.get("engine"),
        "model": staging.get("model"),
        "actions": [action.get("action") for action in actions],
        "validation_state": reader.get_validation_state(),
        "failures": [failure.get("code") for failure in failures],
        "software_agent": next((a["softwareAgent"].get("name") for a in actions if a.get("softwareAgent")), None),
        "staging": staging,
        "ingredients": [item.get("title") for item in active.get("ingredients", [])],
    }


def ensure_certificate(*, force: bool = False) -> tuple[Path, Path]:
    """Make the development CA, leaf certificate and key at the configured paths if missing.

    Returns (chain path, key path). The key file is written 0600. Safe to run
    from several processes at once: one makes the pair, the others keep it.
    """
    chain_path, key_path = _paths()
    if chain_path.exists() and key_path.exists() and not force:
        return chain_path, key_path
    chain_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    with _directory_lock(key_path.parent):
        # Two workers starting together would otherwise each write a chain and
        # a key, and could leave one's chain beside the other's key.
        if chain_path.exists() and key_path.exists() and not force:
            return chain_path, key_path
        chain, key = development_certificate()
        _write_atomically(key_path, key, mode=0o600)
        _write_atomically(chain_path, chain, mode=0o644)
    return chain_path, key_path


def development_certificate() -> tuple[bytes, bytes]:
    """A P-256 leaf (digital signature, email protection) signed by a fresh development CA:
    (PEM chain leaf first, PEM PKCS#8 key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "StageCraft development CA"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "StageCraft")])
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "StageCraft development signer"),
                           x509.NameAttribute(NameOID.ORGANIZATION_NAME, "StageCraft")])

    def usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=sign, content_commitment=False, key_encipherment=False,
                             data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                             encipher_only=False, decipher_only=False)

    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(usage(sign=False, ca=True), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    # C2PA's certificate profile wants a leaf (not a CA, not self-signed) with
    # digitalSignature and an EKU it knows: emailProtection is the usual one.
    leaf = (x509.CertificateBuilder().subject_name(leaf_name).issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(sign=True, ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return chain, pem_key


def _definition(*, label: str, title: str, mime: str, original_sha256: str, engine: str, model: str,
                staging_id: str) -> dict:
    agent = f"StageCraft staging ({engine} {model})".strip()
    return {
        "claim_generator_info": [{"name": "StageCraft", "version": "1"}],
        "label": label,
        "title": title,
        "format": mime,
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.opened", "parameters": {"ingredientIds": ["original"]}},
                {"action": "c2pa.edited", "digitalSourceType": DIGITAL_SOURCE_TYPE, "softwareAgent": {"name": agent},
                 "description": "Virtual staging: furniture generated in the floor area; the rest is the original."},
            ]}},
            {"label": ASSERTION, "data": {"original_sha256": original_sha256, "engine": engine, "model": model,
                                          "staging_id": staging_id}},
        ],
    }


def _context():
    import c2pa

    return c2pa.Context(c2pa.Settings.from_dict(SDK_SETTINGS))


def _signer() -> _LoadedSigner:
    """The c2pa signer for the configured files, built once per process and per file change."""
    import c2pa

    chain_path, key_path = _paths()
    if not (chain_path.exists() and key_path.exists()):
        if settings.PRODUCTION:
            raise ProvenanceUnavailable()
        try:
            ensure_certificate()
        except OSError as exc:
            raise ProvenanceUnavailable(f"The development C2PA certificate cannot be made: {exc}") from exc
    try:
        stamps = chain_path.stat().st_mtime_ns, key_path.stat().st_mtime_ns
    except OSError as exc:
        raise ProvenanceUnavailable() from exc
    # The process id is part of the key: the SDK refuses a signer made before
    # a fork ("Signer is closed"), so a forked worker builds its own.
    cache_key = (os.getpid(), str(chain_path), str(key_path), *stamps)
    with _lock:
        loaded = _signers.get(cache_key)
        if loaded is None:
            try:
                chain = chain_path.read_bytes()
                info = c2pa.C2paSignerInfo(b"es256", chain, key_path.read_bytes(), None)
                loaded = _LoadedSigner(c2pa.Signer.from_info(info), _common_name(chain))
            except (OSError, ValueError, c2pa.C2paError) as exc:
                raise ProvenanceUnavailable(f"The C2PA certificate cannot sign: {exc}") from exc
            _signers[cache_key] = loaded
        return loaded


def _common_name(chain: bytes) -> str:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    leaf = x509.load_pem_x509_certificates(chain)[0]
    names = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else leaf.subject.rfc4514_string()


def _paths() -> tuple[Path, Path]:
    return Path(settings.STAGING_C2PA_CERT_PATH), Path(settings.STAGING_C2PA_KEY_PATH)


@contextmanager
def _directory_lock(directory: Path):
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    # A signer starting meanwhile reads the old file or the new one, never half of one.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
