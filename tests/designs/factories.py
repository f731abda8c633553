"""factory-boy factories for designs' rows."""

import factory

from designs.models import DesignSpec, DesignVersion
from tests.factories import UserFactory


class DesignSpecFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DesignSpec

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Table {n}")
    design_type = "furniture"
    category = "table"


class DesignVersionFactory(factory.django.DjangoModelFactory):
    """A version whose spec holds one box; ``spec_json`` can be given whole."""

    class Meta:
        model = DesignVersion

    spec = factory.SubFactory(DesignSpecFactory)
    minor = 0
    prompt = "a small oak table"
    generator = "rules"
    spec_json = factory.LazyFunction(lambda: {"objects": [{
        "id": "obj_1", "name": "table top", "type": "box", "material": "wood",
        "dimensions": {"width": 1.2, "height": 0.75, "depth": 0.8, "units": "meters"},
        "position": {"x": 0, "y": 0, "z": 0}}]})
