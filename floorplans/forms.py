"""Forms of the floor plan pages. They parse input; the services and geometry validate the plan."""


from django import forms

from floorplans.choices import Direction, ExportFormat, ExportScale, Grade, Paper, RoomKind, StartingCorner
from floorplans.files import ANNOTATION_MAX_BYTES, decode_data_url
from floorplans.sheets import PAPERS

# Blank opening rows on the measurements form; enough for a room's doors, windows and closets.
OPENING_ROWS = 6
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FOOTPRINT_SHAPES = [("rectangle", "Rectangle"), ("L-shape", "L-shape"), ("T-shape", "T-shape"),
                    ("U-shape", "U-shape"), ("irregular", "Irregular")]
OPENING_TYPES = [("door", "Door"), ("window", "Window"), ("closet", "Closet"), ("opening", "Open passage")]
CONNECTION_TYPES = [("door", "Door"), ("opening", "Open passage"), ("wall", "Solid wall")]


def feet(label: str, *, required: bool = True, min_value: float = 0.1, max_value: float = 500, **options):
    """A distance in feet, typed on a phone's decimal keypad."""
    return forms.FloatField(label=label, required=required, min_value=min_value, max_value=max_value,
                            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **options)


class SessionForm(forms.Form):
    address = forms.CharField(label="Property address", max_length=300,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
                              help_text="The house you are measuring, e.g. 123 Main St, Oakland, CA 94601.")


class StartingCornerForm(forms.Form):
    # Laid out as the corners sit on a north-up map: NW NE / SW SE.
    starting_corner = forms.ChoiceField(label="Starting corner", widget=forms.RadioSelect,
                                        choices=[(c, StartingCorner(c).label) for c in ("NW", "NE", "SW", "SE")],
                                        help_text="The corner of the house where you measure the first room.")


class RoomForm(forms.Form):
    type = forms.ChoiceField(label="Room type", choices=RoomKind.choices, initial=RoomKind.BEDROOM)
    label = forms.CharField(label="Room name", max_length=100, required=False,
                            help_text="Only for “Other”, e.g. Mudroom. Other rooms are numbered: Bedroom#1, Bedroom#2.")


class ScanForm(RoomForm):
    # Named apart from the manual room form's fields on the same hub page.
    type = forms.ChoiceField(label="Scanned room type", choices=RoomKind.choices, initial=RoomKind.BEDROOM)
    label = forms.CharField(label="Scanned room name", max_length=100, required=False,
                            help_text="Only for “Other”; a structure's rooms all take this type.")
    file = forms.FileField(label="RoomPlan scan (.json)", help_text="A CapturedRoom or CapturedStructure exported "
                                                                     "from Apple RoomPlan.")


class ScanAcceptForm(RoomForm):
    """The previewed scan sent back as its JSON text; it is read and checked again before anything is made."""

    scan = forms.CharField(widget=forms.HiddenInput)


class HouseBoundsForm(forms.Form):
    width = feet("Width, east-west (ft)", min_value=1, max_value=1000)
    height = feet("Depth, north-south (ft)", min_value=1, max_value=1000)
    shape = forms.ChoiceField(label="Shape", choices=FOOTPRINT_SHAPES)
    roof_overhang = feet("Roof overhang (ft)", required=False, min_value=0, max_value=10,
                         help_text="If measured at the roof edge; taken off each side.")

    def bounds(self) -> dict:
        data = self.cleaned_data
        bounds = {"width": data["width"], "height": data["height"], "shape": data["shape"]}
        if data["roof_overhang"] is not None:
            bounds["roofOverhangEstimate"] = data["roof_overhang"]
        return bounds


class MergeForm(forms.Form):
    new_room = forms.ChoiceField(label="Room to place")
    adjacent_room = forms.ChoiceField(label="Next to")
    direction = forms.ChoiceField(label="On which side of it", choices=Direction.choices)
    connection_type = forms.ChoiceField(label="They connect through", choices=CONNECTION_TYPES)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(room.pk), room.display_label) for room in rooms]
        self.fields["new_room"].choices = choices
        self.fields["adjacent_room"].choices = choices


class PhotoForm(forms.Form):
    image = forms.FileField(label="Photo", widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))
    compassHeading = forms.FloatField(  # noqa: N815 - the document's field name, also sent by the API
        label="Heading (°)", required=False, min_value=0, max_value=360,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text="Filled in from the phone's compass; you can type it. Optional.")


class MeasurementsForm(forms.Form):
    width = feet("Width, east-west (ft)")
    height = feet("Depth, north-south (ft)")
    ceiling_height = feet("Ceiling height (ft)", required=False, max_value=50)
    grade = forms.ChoiceField(label="Level", choices=Grade.choices)
    finished = forms.BooleanField(label="Finished living space", required=False)


class OpeningForm(forms.Form):
    """One door, window, closet or passage; a row left blank is skipped."""

    wall = forms.ChoiceField(label="Wall", choices=[("", "—"), *Direction.choices], required=False)
    type = forms.ChoiceField(label="Type", choices=[("", "—"), *OPENING_TYPES], required=False)
    position = feet("From the corner (ft)", required=False, min_value=0)
    width = feet("Width (ft)", required=False)

    def clean(self):
        data = super().clean()
        given = [name for name in ("wall", "type", "position", "width") if data.get(name) not in (None, "")]
        if given and len(given) < 4:
            raise forms.ValidationError("Give the wall, type, distance from the corner and width, or leave the "
                                        "row empty.")
        return data

    @property
    def is_blank(self) -> bool:
        return not self.cleaned_data.get("wall")


def opening_formset(*, data=None, analysis: dict | None = None):
    """The room's openings as rows, plus blank rows up to ``OPENING_ROWS`` (at least two)."""
    initial = [{"wall": wall, "type": item["type"], "position": item["position"], "width": item["width"]}
               for wall, items in ((analysis or {}).get("walls") or {}).items() for item in items]
    factory = forms.formset_factory(OpeningForm, extra=max(OPENING_ROWS - len(initial), 2))
    return factory(data, initial=initial, prefix="openings")


def analysis_from(measurements: dict, openings: list[dict], *, current: dict | None) -> dict:
    """The document's analysis object from the form; the current analysis's shape and notes are kept."""
    walls = {side: [] for side in Direction.values}
    for opening in openings:
        walls[opening["wall"]].append({"type": opening["type"], "position": opening["position"],
                                       "width": opening["width"]})
    analysis = {**(current or {}), "dimensions": {"width": measurements["width"], "height": measurements["height"],
                                                  "confidence": 1.0}, "walls": walls}
    analysis.setdefault("shape", "rectangle")
    if measurements["ceiling_height"] is not None:
        analysis["ceilingHeight"] = measurements["ceiling_height"]
    else:
        analysis.pop("ceilingHeight", None)
    return analysis


class ReviseForm(forms.Form):
    feedback = forms.CharField(label="What is wrong?", max_length=4000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="E.g. “Window missing on the north wall, between the door and the corner”.")
    annotationImage = forms.CharField(  # noqa: N815 - the document's field name
        required=False, widget=forms.HiddenInput, max_length=14_000_000)

    def clean_annotationImage(self) -> bytes | None:  # noqa: N802 - Django's clean_<field> hook
        """The sketch as PNG bytes, from the ``data:image/png;base64,...`` URL the page's script fills in."""
        value = self.cleaned_data["annotationImage"]
        if not value:
            return None
        try:
            payload = decode_data_url(value)
        except ValueError:
            raise forms.ValidationError("The sketch could not be read; clear it and draw again.") from None
        if not payload.startswith(PNG_MAGIC) or len(payload) > ANNOTATION_MAX_BYTES:
            raise forms.ValidationError("The sketch must be a PNG drawing of at most 8 MB.")
        return payload


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=ExportFormat.choices)
    scale = forms.ChoiceField(label="Scale", choices=ExportScale.choices, initial=ExportScale.QUARTER, required=False,
                              widget=forms.RadioSelect)
    paper = forms.ChoiceField(label="Paper", initial=Paper.LETTER, required=False, widget=forms.RadioSelect,
                              choices=[(paper, f"{paper.label} ({PAPERS[paper].size})") for paper in Paper])

    def clean_scale(self) -> str:
        return self.cleaned_data["scale"] or ExportScale.QUARTER

    def clean_paper(self) -> str:
        return self.cleaned_data["paper"] or Paper.LETTER
