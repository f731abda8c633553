"""Machine-readable "made by AI" marking for every generated file.

EU AI Act Article 50(2) asks that synthetic images be marked in a
machine-readable way. The industry form is IPTC's DigitalSourceType in the
file's XMP packet, set to ``trainedAlgorithmicMedia``; Google, Meta and
Adobe's tools read it from there. PNG carries XMP in an iTXt chunk with the
keyword ``XML:com.adobe.xmp``, JPEG in an APP1 segment after the
``http://ns.adobe.com/xap/1.0/`` signature.
"""

import io
import re
import xml.etree.ElementTree as ElementTree

from PIL import Image, PngImagePlugin

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PNG_XMP_KEYWORD = "XML:com.adobe.xmp"
JPEG_XMP_SIGNATURE = b"http://ns.adobe.com/xap/1.0/\x00"
# A JPEG segment's length field is 16 bits and counts itself.
JPEG_SEGMENT_MAX = 0xFFFF - 2
# Our packets are a few hundred bytes; anything far larger is not worth parsing.
MAX_XMP_BYTES = 256 * 1024

XMP_PACKET = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="{RDF}">
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="{IPTC_EXT}"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    Iptc4xmpExt:DigitalSourceType="{TRAINED_ALGORITHMIC_MEDIA}"
    xmp:CreatorTool="StageCraft personas"/>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def encode_marked(image: Image.Image, *, image_format: str = "PNG", quality: int = 90) -> bytes:
    """Encode ``image`` as PNG or JPEG with the AI-generated XMP marking embedded."""
    out = io.BytesIO()
    if image_format == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt(PNG_XMP_KEYWORD, XMP_PACKET)
        image.save(out, format="PNG", pnginfo=info)
        return out.getvalue()
    if image_format == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=quality)
        return insert_jpeg_xmp(out.getvalue(), XMP_PACKET.encode("utf-8"))
    raise ValueError(f"Cannot mark {image_format} files; use PNG or JPEG.")


def insert_jpeg_xmp(jpeg: bytes, xmp: bytes) -> bytes:
    """Return ``jpeg`` with an APP1 XMP segment after SOI and any APP0 (JFIF) segment.

    Written by hand rather than with Pillow's ``xmp=`` save option, which only
    exists from Pillow 11 while the project accepts 10.4.
    """
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("Not a JPEG file.")
    payload = JPEG_XMP_SIGNATURE + xmp
    if len(payload) > JPEG_SEGMENT_MAX:
        raise ValueError("The XMP packet does not fit in one JPEG segment.")
    position = 2
    if jpeg[2:4] == b"\xff\xe0":  # JFIF must stay first for strict readers
        position = 4 + int.from_bytes(jpeg[4:6], "big")
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:position] + segment + jpeg[position:]


def read_digital_source_type(data: bytes) -> str | None:
    """The IPTC DigitalSourceType in the XMP of an image file, or ``None``.

    Reads PNG, JPEG and WebP through Pillow; a file without XMP, with XMP
    lacking the property, or that is not an image answers ``None``.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            xmp = image.info.get("xmp")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if not xmp:
        return None
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8")
    return _source_type_in(xmp[:MAX_XMP_BYTES])


def _source_type_in(xmp: bytes) -> str | None:
    # Packet wrappers are processing instructions ElementTree skips; a BOM inside
    # one is fine, but stray bytes before the root are not, so start at "<".
    start = xmp.find(b"<")
    try:
        root = ElementTree.fromstring(xmp[start:] if start >= 0 else xmp)
    except ElementTree.ParseError:
        return None
    attribute = f"{{{IPTC_EXT}}}DigitalSourceType"
    for element in root.iter():
        if attribute in element.attrib:  # the short form: an attribute of rdf:Description
            return element.attrib[attribute].strip()
        if element.tag == attribute:  # the long form: a child element, possibly rdf:resource
            value = element.attrib.get(f"{{{RDF}}}resource") or (element.text or "")
            return value.strip() or None
    return None


def is_marked_ai_generated(data: bytes) -> bool:
    """True when the file says it was made by a trained model."""
    value = read_digital_source_type(data)
    return bool(value) and re.sub(r"/+$", "", value) == TRAINED_ALGORITHMIC_MEDIA
