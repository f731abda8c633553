"""factory-boy factories for the floor plan rows: sessions, rooms (plain or measured), photos, revisions."""

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from floorplans import plans
from floorplans.choices import AnalysisSource, Direction, RoomKind
from floorplans.models import FloorplanSession, Room, RoomPhoto, RoomRevision
from tests.factories import UserFactory
from tests.files.images import jpeg

# A 12 x 14 ft bedroom with a door on the east wall, in the document's analysis shape.
ANALYSIS = {
    "dimensions": {"width": 12.0, "height": 14.0, "confidence": 1.0},
    "ceilingHeight": 8.0,
    "walls": {"north": [], "east": [{"type": "door", "position": 5.0, "width": 2.67}], "south": [], "west": []},
    "referenceObject": None,
    "shape": "rectangle",
}


def analysis(width: float = 12.0, height: float = 14.0, **walls) -> dict:
    """The document's analysis object of a ``width`` x ``height`` room with the given openings per wall."""
    return {**ANALYSIS, "dimensions": {"width": width, "height": height, "confidence": 1.0},
            "walls": {side: walls.get(side, []) for side in Direction.values}}


class FloorplanSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FloorplanSession

    owner = factory.SubFactory(UserFactory)
    address = factory.Sequence(lambda n: f"{100 + n} Main St, Oakland, CA 94601")


class RoomFactory(factory.django.DjangoModelFactory):
    """A room waiting for its photos; labelled as ``services.create_room`` would (``Bedroom#n``)."""

    class Meta:
        model = Room

    session = factory.SubFactory(FloorplanSessionFactory)
    type = RoomKind.BEDROOM
    index = factory.LazyAttribute(lambda room: room.session.rooms.count())
    label = factory.LazyAttribute(
        lambda room: f"{RoomKind(room.type).label.title()}#{room.session.rooms.filter(type=room.type).count() + 1}")


class MeasuredRoomFactory(RoomFactory):
    """A room with an analysis entered by hand, its drawing and its first revision."""

    class Meta:
        skip_postgeneration_save = True  # ``drawn`` saves what it changes

    analysis = factory.LazyFunction(lambda: analysis())
    analysis_source = AnalysisSource.MANUAL
    analysis_confidence = 1.0
    revision_number = 1
    revision = factory.RelatedFactory(
        "tests.floorplans.factories.RoomRevisionFactory", factory_related_name="room", number=1,
        analysis=factory.SelfAttribute("..analysis"), author=factory.SelfAttribute("..session.owner"))

    @factory.post_generation
    def drawn(self, create, extracted, **kwargs):
        self.svg_data = plans.room_svg(self)
        if create:
            self.save(update_fields=["svg_data"])


class RoomPhotoFactory(factory.django.DjangoModelFactory):
    """A stored JPEG photo facing ``direction``, where ``services.upload_photo`` would keep it."""

    class Meta:
        model = RoomPhoto

    room = factory.SubFactory(RoomFactory)
    direction = Direction.NORTH
    compass_heading = 0.0
    image = factory.LazyAttribute(lambda photo: default_storage.save(
        f"{photo.room.session.storage_prefix}photos/{photo.room.pk}/{photo.direction}.jpg", ContentFile(jpeg())))


class RoomRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomRevision

    room = factory.SubFactory(MeasuredRoomFactory, revision=None)
    number = factory.Sequence(lambda n: n + 1)
    source = AnalysisSource.MANUAL
    analysis = factory.LazyFunction(lambda: analysis())
    confidence = 1.0


def four_photos(room: Room) -> list[RoomPhoto]:
    """A photo for every direction of ``room``."""
    return [RoomPhotoFactory(room=room, direction=direction, compass_heading=heading)
            for direction, heading in zip(Direction.values, (0.0, 90.0, 180.0, 270.0), strict=True)]
