"""personas.provenance: the IPTC DigitalSourceType XMP marking, written and read back."""

import io

from PIL import Image

from personas import provenance

AI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def picture() -> Image.Image:
    return Image.new("RGB", (40, 24), (12, 140, 80))


def test_a_marked_png_carries_the_xmp_in_an_itxt_chunk_and_reads_back():
    data = provenance.encode_marked(picture(), image_format="PNG")

    assert b"iTXt" in data and b"XML:com.adobe.xmp" in data
    assert provenance.read_digital_source_type(data) == AI
    assert provenance.is_marked_ai_generated(data)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (40, 24) and image.getpixel((0, 0)) == (12, 140, 80)


def test_a_marked_jpeg_carries_an_app1_xmp_segment_after_jfif_and_still_decodes():
    data = provenance.encode_marked(picture(), image_format="JPEG")

    assert data[:2] == b"\xff\xd8" and data[2:4] == b"\xff\xe0"  # JFIF stays first
    app1 = data.index(b"\xff\xe1")
    assert data[app1 + 4:app1 + 4 + len(provenance.JPEG_XMP_SIGNATURE)] == provenance.JPEG_XMP_SIGNATURE
    assert provenance.read_digital_source_type(data) == AI
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.size == (40, 24)


def test_an_unmarked_file_or_garbage_reads_as_none():
    plain = io.BytesIO()
    picture().save(plain, "PNG")

    assert provenance.read_digital_source_type(plain.getvalue()) is None
    assert provenance.read_digital_source_type(b"not an image") is None
    assert not provenance.is_marked_ai_generated(plain.getvalue())


def test_the_long_element_form_written_by_other_tools_is_read_too():
    xmp = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{provenance.RDF}">'
           f'<rdf:Description xmlns:Iptc4xmpExt="{provenance.IPTC_EXT}">'
           f'<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture'
           f'</Iptc4xmpExt:DigitalSourceType></rdf:Description></rdf:RDF></x:xmpmeta>')
    out = io.BytesIO()
    picture().save(out, "JPEG")
    data = provenance.insert_jpeg_xmp(out.getvalue(), xmp.encode())

    assert provenance.read_digital_source_type(data).endswith("/digitalCapture")
    assert not provenance.is_marked_ai_generated(data)
