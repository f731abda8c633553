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
certificate from a CA on the C2PA trust list. No timestamp authority is asked:
this machine reaches no network.
"""

import datetime
import hashlib
import io
import json
import threading
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
# c2pa's own thumbnails of the file and its ingredient would add a JPEG encode
# of 12 megapixels per rendition; the renditions are images already.
SDK_SETTINGS = {"builder": {"thumbnail": {"enabled": False}}}


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


_lock = threading.Lock()
_signers: dict[tuple, object] = {}


def stamp(content: bytes, *, mime: str, title: str, original: bytes, original_mime: str, engine: str, model: str,
          staging_id: str) -> Stamped:
    """Sign ``content`` (already carrying ``XMP_PACKET``) with a C2PA manifest of the edit.

    Raises ``ProvenanceUnavailable`` when no certificate is configured (in
    production) or the configured one cannot sign.
    """
    import c2pa

    original_sha256 = hashlib.sha256(original).hexdigest()
    agent = f"StageCraft staging ({engine} {model})".strip()
    manifest = {
        "claim_generator_info": [{"name": "StageCraft", "version": "1"}],
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
    signer = _signer()
    context = c2pa.Context(c2pa.Settings.from_dict(SDK_SETTINGS))
    builder = c2pa.Builder(json.dumps(manifest), context=context)
    builder.add_ingredient({"title": "original", "relationship": "parentOf", "label": "original"}, original_mime,
                           io.BytesIO(original))
    signed = io.BytesIO()
    try:
        builder.sign(signer, mime, io.BytesIO(content), signed)
    except c2pa.C2paError as exc:
        raise ProvenanceUnavailable(f"C2PA signing failed: {exc}") from exc
    return Stamped(content=signed.getvalue(), manifest={
        "standard": "C2PA", "digital_source_type": DIGITAL_SOURCE_TYPE, "signed_by": _signer_name(),
        "original_sha256": original_sha256, "engine": engine, "model": model,
        "actions": ["c2pa.opened", "c2pa.edited"],
    })


def read_provenance(content: bytes, *, mime: str) -> dict:
    """The C2PA manifest of a stored file, summarised, with the validator's verdict.

    ``validation_state`` is ``Trusted``, ``Valid`` (signed, chain not on the
    trust list, as with the development certificate) or ``Invalid`` (the file
    changed after signing); ``{}`` when the file carries no manifest.
    """
    import c2pa

    reader = c2pa.Reader.try_create(mime, io.BytesIO(content))
    if reader is None:
        return {}
    active = reader.get_active_manifest() or {}
    assertions = {item["label"]: item.get("data", {}) for item in active.get("assertions", [])}
    actions = next((data["actions"] for label, data in assertions.items() if label.startswith("c2pa.actions")), [])
    failures = (reader.get_validation_results() or {}).get("activeManifest", {}).get("failure", [])
    return {
        "validation_state": reader.get_validation_state(),
        "failures": [failure.get("code") for failure in failures],
        "actions": [action.get("action") for action in actions],
        "digital_source_type": next((a.get("digitalSourceType") for a in actions if a.get("digitalSourceType")), None),
        "software_agent": next((a["softwareAgent"].get("name") for a in actions if a.get("softwareAgent")), None),
        "staging": assertions.get(ASSERTION, {}),
        "ingredients": [item.get("title") for item in active.get("ingredients", [])],
        "signed_by": active.get("signature_info", {}).get("common_name") or active.get("signature_info", {}).get(
            "issuer"),
    }


def ensure_certificate(*, force: bool = False) -> tuple[Path, Path]:
    """Make the development CA, leaf certificate and key at the configured paths if missing.

    Returns (chain path, key path). The key file is written 0600.
    """
    chain_path, key_path = Path(settings.STAGING_C2PA_CERT_PATH), Path(settings.STAGING_C2PA_KEY_PATH)
    if chain_path.exists() and key_path.exists() and not force:
        return chain_path, key_path
    chain, key = development_certificate()
    chain_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    chain_path.write_bytes(chain)
    key_path.touch(mode=0o600, exist_ok=True)
    key_path.chmod(0o600)
    key_path.write_bytes(key)
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


def _signer():
    """The c2pa signer for the configured files, built once per process and per file change."""
    import c2pa

    chain_path, key_path = Path(settings.STAGING_C2PA_CERT_PATH), Path(settings.STAGING_C2PA_KEY_PATH)
    if not (chain_path.exists() and key_path.exists()):
        if settings.PRODUCTION:
            raise ProvenanceUnavailable()
        ensure_certificate()
    key = (str(chain_path), str(key_path), chain_path.stat().st_mtime_ns, key_path.stat().st_mtime_ns)
    with _lock:
        signer = _signers.get(key)
        if signer is None:
            try:
                info = c2pa.C2paSignerInfo(b"es256", chain_path.read_bytes(), key_path.read_bytes(), None)
                signer = _signers[key] = c2pa.Signer.from_info(info)
            except (OSError, ValueError, c2pa.C2paError) as exc:
                raise ProvenanceUnavailable(f"The C2PA certificate cannot sign: {exc}") from exc
        return signer


def _signer_name() -> str:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    leaf = x509.load_pem_x509_certificates(Path(settings.STAGING_C2PA_CERT_PATH).read_bytes())[0]
    names = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else leaf.subject.rfc4514_string()
