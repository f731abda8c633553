"""The words the designs app understands: design types, categories, parts, materials, colours, units.

The five design types and their categories are the ones seeds/002 lists under
"Design Types Supported". Each category has a few short sentences that the
MiniLM classifier compares a prompt with, and keywords for the fallback
classifier that runs when the embedder is unavailable.
"""

BUILDING = "building"
VEHICLE = "vehicle"
ELECTRONICS = "electronics"
APPLIANCE = "appliance"
FURNITURE = "furniture"

DESIGN_TYPES: dict[str, tuple[str, ...]] = {
    BUILDING: ("residential", "commercial", "industrial"),
    VEHICLE: ("car", "truck", "motorcycle", "aircraft", "boat"),
    ELECTRONICS: ("computer", "phone", "iot_device", "circuit"),
    APPLIANCE: ("kitchen", "laundry", "hvac", "smart_home"),
    FURNITURE: ("chair", "table", "storage", "decorative"),
}

CATEGORY_SENTENCES: dict[tuple[str, str], tuple[str, ...]] = {
    (BUILDING, "residential"): (
        "A family house with bedrooms, a roof and a garden.",
        "A multi-storey apartment block where people live.",
        "A residential villa, cottage or townhouse.",
    ),
    (BUILDING, "commercial"): (
        "A modern office building with many floors.",
        "A shopping mall, retail store, hotel or restaurant building.",
        "A commercial tower with glass facades for businesses.",
    ),
    (BUILDING, "industrial"): (
        "A factory or manufacturing plant with machinery.",
        "A large warehouse with loading docks for logistics.",
        "An industrial facility such as a power plant or workshop.",
    ),
    (VEHICLE, "car"): (
        "A passenger car, sedan, hatchback, coupe or SUV.",
        "An electric car with an aerodynamic body and four wheels.",
        "A sports car for driving on roads.",
    ),
    (VEHICLE, "truck"): (
        "A heavy truck or lorry that carries cargo.",
        "A pickup truck with an open cargo bed.",
        "A delivery van or semi truck for freight.",
    ),
    (VEHICLE, "motorcycle"): (
        "A motorcycle, motorbike or scooter with two wheels.",
        "An electric motorbike with a seat and handlebars.",
    ),
    (VEHICLE, "aircraft"): (
        "An airplane or jet aircraft with wings and a tail.",
        "A drone or quadcopter that flies.",
        "A small propeller plane or glider.",
    ),
    (VEHICLE, "boat"): (
        "A boat, yacht or ship that sails on water.",
        "A speedboat or sailboat with a hull and a cabin.",
        "A kayak, canoe or ferry.",
    ),
    (ELECTRONICS, "computer"): (
        "A desktop computer, laptop or workstation.",
        "A PC tower with a monitor and keyboard.",
        "A server or gaming computer.",
    ),
    (ELECTRONICS, "phone"): (
        "A smartphone or mobile phone with a touchscreen.",
        "A tablet or handheld device with a screen and cameras.",
    ),
    (ELECTRONICS, "iot_device"): (
        "An IoT sensor device with wireless connectivity.",
        "A connected sensor node that measures temperature or motion.",
        "A smart wearable or tracker with a battery.",
    ),
    (ELECTRONICS, "circuit"): (
        "A printed circuit board with a microcontroller and components.",
        "An electronic circuit with chips, resistors and connectors.",
        "An Arduino or Raspberry Pi development board.",
        "A microcontroller board with sensors, pins and USB ports.",
    ),
    (APPLIANCE, "kitchen"): (
        "A kitchen appliance such as a refrigerator, oven or stove.",
        "A microwave, dishwasher or cooker for the kitchen.",
        "A fridge freezer for keeping food cold.",
    ),
    (APPLIANCE, "laundry"): (
        "A washing machine for laundry.",
        "A clothes dryer or washer dryer.",
    ),
    (APPLIANCE, "hvac"): (
        "An air conditioner or heat pump for heating and cooling.",
        "An HVAC unit, furnace, heater or ventilation fan.",
        "An air purifier or dehumidifier.",
    ),
    (APPLIANCE, "smart_home"): (
        "A smart home device such as a smart speaker or thermostat.",
        "A voice assistant hub or smart display for home automation.",
    ),
    (FURNITURE, "chair"): (
        "A chair, stool or armchair to sit on.",
        "A sofa, couch or bench with cushions.",
        "An ergonomic office chair.",
    ),
    (FURNITURE, "table"): (
        "A dining table with legs and a wooden top.",
        "A desk, coffee table or side table.",
        "A conference table with chairs around it.",
    ),
    (FURNITURE, "storage"): (
        "A bookshelf, cabinet or wardrobe for storage.",
        "A chest of drawers, dresser or sideboard.",
        "Shelving units and cupboards.",
    ),
    (FURNITURE, "decorative"): (
        "A decorative vase, sculpture or ornament.",
        "A floor lamp, mirror or plant pot for interior decoration.",
    ),
}

# Keywords for the fallback classifier. Multi-word keywords match as phrases. A noun a layout tells
# its kinds apart by ("credenza", "ute", "ipad") is a keyword too: a keyword names its category
# outright, so a prompt the layout can draw is not refused when the embedder scores it low.
CATEGORY_KEYWORDS: dict[tuple[str, str], tuple[str, ...]] = {
    (BUILDING, "residential"): ("house", "home", "villa", "cottage", "apartment", "apartments", "bungalow", "cabin",
                                "townhouse", "residential", "dwelling", "mansion", "duplex", "condo"),
    (BUILDING, "commercial"): ("office", "mall", "shop", "store", "hotel", "restaurant", "commercial", "retail",
                               "skyscraper", "tower", "bank", "cafe", "supermarket"),
    (BUILDING, "industrial"): ("factory", "warehouse", "plant", "industrial", "workshop", "depot", "mill", "hangar",
                               "refinery", "foundry"),
    (VEHICLE, "car"): ("car", "sedan", "saloon", "suv", "jeep", "crossover", "hatchback", "coupe", "convertible",
                       "automobile", "vehicle", "roadster", "supercar", "minivan", "mpv", "ev"),
    (VEHICLE, "truck"): ("truck", "lorry", "pickup", "ute", "van", "semi", "trailer", "tipper", "dump truck"),
    (VEHICLE, "motorcycle"): ("motorcycle", "motorbike", "scooter", "moped", "bike", "dirt bike"),
    (VEHICLE, "aircraft"): ("aircraft", "airplane", "aeroplane", "plane", "jet", "drone", "quadcopter", "glider",
                            "airliner", "helicopter", "uav", "multicopter"),
    (VEHICLE, "boat"): ("boat", "yacht", "ship", "sailboat", "speedboat", "kayak", "canoe", "ferry", "catamaran",
                        "vessel"),
    (ELECTRONICS, "computer"): ("computer", "laptop", "desktop", "pc", "workstation", "server", "notebook",
                                "ultrabook", "macbook", "monitor"),
    (ELECTRONICS, "phone"): ("phone", "smartphone", "mobile", "tablet", "ipad", "handset", "cellphone"),
    (ELECTRONICS, "iot_device"): ("iot", "sensor", "tracker", "wearable", "beacon", "gateway", "smartwatch"),
    (ELECTRONICS, "circuit"): ("circuit", "pcb", "board", "microcontroller", "arduino", "raspberry pi",
                               "breadboard", "chip"),
    (APPLIANCE, "kitchen"): ("fridge", "refrigerator", "freezer", "oven", "stove", "cooker", "microwave",
                             "dishwasher", "kettle", "toaster", "blender", "coffee machine", "coffee maker",
                             "espresso machine", "range"),
    (APPLIANCE, "laundry"): ("washing machine", "washer", "dryer", "laundry", "tumble dryer"),
    (APPLIANCE, "hvac"): ("air conditioner", "air conditioning", "hvac", "heat pump", "furnace", "heater",
                          "ventilation", "air purifier", "humidifier", "dehumidifier", "boiler"),
    (APPLIANCE, "smart_home"): ("smart speaker", "thermostat", "smart display", "smart hub", "voice assistant",
                                "home automation", "smart home"),
    (FURNITURE, "chair"): ("chair", "stool", "armchair", "sofa", "couch", "bench", "recliner", "loveseat"),
    (FURNITURE, "table"): ("table", "desk", "workbench", "dining", "nightstand"),
    (FURNITURE, "storage"): ("bookshelf", "bookcase", "shelf", "shelves", "cabinet", "wardrobe", "cupboard",
                             "dresser", "drawers", "sideboard", "credenza", "armoire", "closet", "storage",
                             "shelving"),
    (FURNITURE, "decorative"): ("vase", "sculpture", "lamp", "mirror", "ornament", "planter", "plant pot",
                                "statue", "decorative", "decor"),
}

# A word naming only the type picks its first category, at half a keyword's weight.
TYPE_KEYWORDS: dict[str, tuple[str, ...]] = {
    BUILDING: ("building", "architecture", "storey", "storeys", "floors"),
    VEHICLE: ("vehicle", "transport", "wheels"),
    ELECTRONICS: ("electronic", "electronics", "device", "gadget"),
    APPLIANCE: ("appliance", "appliances"),
    FURNITURE: ("furniture", "furnishing"),
}

# Prompt words naming a part -> the ``role`` that layouts give the objects of that part.
PART_WORDS: dict[str, str] = {
    "leg": "legs", "legs": "legs",
    "top": "top", "tabletop": "top", "surface": "top", "worktop": "top",
    "seat": "seat", "back": "back", "backrest": "back",
    "arm": "arms", "arms": "arms", "armrest": "arms", "armrests": "arms",
    "cushion": "cushions", "cushions": "cushions",
    "chair": "chairs", "chairs": "chairs", "stool": "chairs", "stools": "chairs",
    "frame": "frame", "base": "base", "stand": "stand",
    "shelf": "shelves", "shelves": "shelves",
    "door": "doors", "doors": "doors", "drawer": "drawers", "drawers": "drawers",
    "carcass": "carcass", "sides": "carcass", "panels": "carcass",
    "handle": "handles", "handles": "handles",
    "body": "body", "bodywork": "body", "cabin": "cabin", "cab": "cab",
    "wheel": "wheels", "wheels": "wheels", "rims": "wheels", "tyres": "wheels", "tires": "wheels",
    "cargo": "cargo", "bed": "cargo", "chassis": "chassis",
    "wing": "wings", "wings": "wings", "fuselage": "fuselage", "tail": "tail",
    "engine": "engines", "engines": "engines", "propeller": "rotors", "rotor": "rotors", "rotors": "rotors",
    "hull": "hull", "deck": "deck", "mast": "mast",
    "tank": "tank", "handlebar": "handlebars", "handlebars": "handlebars",
    "roof": "roof", "floor": "floors", "floors": "floors", "storey": "floors", "storeys": "floors",
    "window": "windows", "windows": "windows", "facade": "floors", "walls": "floors",
    "balcony": "balconies", "balconies": "balconies", "garage": "garage", "chimney": "chimney",
    "screen": "screen", "display": "screen", "monitor": "screen", "keyboard": "keyboard",
    "enclosure": "enclosure", "case": "enclosure", "casing": "enclosure", "housing": "enclosure",
    "board": "board", "pcb": "board", "antenna": "antenna", "battery": "battery",
    "controls": "controls", "panel": "controls", "burner": "burners", "burners": "burners",
    "shade": "shade",
}

# Count nouns -> the key ``PromptFacts.counts`` files them under.
COUNT_WORDS: dict[str, str] = {
    "chair": "chairs", "chairs": "chairs", "stool": "chairs", "stools": "chairs",
    "seat": "seats", "seats": "seats", "seater": "seats", "person": "seats", "people": "seats",
    "persons": "seats", "guests": "seats", "diners": "seats", "passengers": "seats", "occupants": "seats",
    "leg": "legs", "legs": "legs",
    "floor": "floors", "floors": "floors", "storey": "floors", "storeys": "floors", "story": "floors",
    "stories": "floors", "level": "floors", "levels": "floors",
    "shelf": "shelves", "shelves": "shelves", "tier": "shelves", "tiers": "shelves",
    "door": "doors", "doors": "doors", "drawer": "drawers", "drawers": "drawers",
    "wheel": "wheels", "wheels": "wheels", "axle": "axles", "axles": "axles",
    "engine": "engines", "engines": "engines", "motor": "engines", "motors": "engines",
    "rotor": "rotors", "rotors": "rotors", "propeller": "rotors", "propellers": "rotors",
    "screen": "screens", "screens": "screens", "monitor": "screens", "monitors": "screens",
    "display": "screens", "displays": "screens",
    "camera": "cameras", "cameras": "cameras", "lens": "cameras", "lenses": "cameras",
    "port": "ports", "ports": "ports", "sensor": "sensors", "sensors": "sensors",
    "burner": "burners", "burners": "burners", "fan": "fans", "fans": "fans",
    "window": "windows", "windows": "windows", "bay": "bays", "bays": "bays", "dock": "bays", "docks": "bays",
    "deck": "decks", "decks": "decks", "mast": "masts", "masts": "masts",
    "cushion": "cushions", "cushions": "cushions",
}

NUMBER_WORDS: dict[str, int] = {
    "one": 1, "single": 1, "two": 2, "double": 2, "twin": 2, "dual": 2, "pair": 2, "three": 3, "triple": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "dozen": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
}

# Prompt word -> canonical material. Two-word names are matched before single words.
MATERIAL_WORDS: dict[str, str] = {
    "carbon fiber": "carbon_fiber", "carbon fibre": "carbon_fiber", "stainless steel": "stainless_steel",
    "cast iron": "iron", "tempered glass": "glass", "solid wood": "wood",
    "oak": "oak", "walnut": "walnut", "pine": "pine", "maple": "maple", "birch": "birch", "teak": "teak",
    "cherry": "cherry", "mahogany": "mahogany", "beech": "beech", "ash": "ash", "bamboo": "bamboo",
    "plywood": "plywood", "mdf": "mdf", "wood": "wood", "wooden": "wood", "timber": "wood",
    "steel": "steel", "stainless": "stainless_steel", "aluminium": "aluminum", "aluminum": "aluminum",
    "alloy": "aluminum",  # "alloy wheels", "an alloy frame": light alloy, almost always aluminium
    "iron": "iron", "copper": "copper", "brass": "brass", "bronze": "bronze", "titanium": "titanium",
    "chrome": "chrome", "metal": "metal", "metallic": "metal",
    "glass": "glass", "acrylic": "acrylic", "plastic": "plastic", "polycarbonate": "polycarbonate",
    "fiberglass": "fiberglass", "fibreglass": "fiberglass", "rubber": "rubber", "silicone": "silicone",
    "concrete": "concrete", "brick": "brick", "stone": "stone", "marble": "marble", "granite": "granite",
    "ceramic": "ceramic", "porcelain": "ceramic", "terracotta": "terracotta",
    "fabric": "fabric", "linen": "linen", "velvet": "velvet", "wool": "wool", "cotton": "cotton",
    "leather": "leather", "rattan": "rattan", "wicker": "wicker", "cork": "cork",
}

# Rendering colours of materials when a prompt names no colour (glTF preview).
MATERIAL_COLORS: dict[str, str] = {
    "oak": "#b08850", "walnut": "#5d4030", "pine": "#d8b98a", "maple": "#d9b382", "birch": "#e3cfa6",
    "teak": "#a0703c", "cherry": "#8e4a32", "mahogany": "#6b2f1f", "beech": "#caa27a", "ash": "#d6c3a0",
    "bamboo": "#d8c37a", "plywood": "#d2b48c", "mdf": "#c8ad87", "wood": "#a47449",
    "steel": "#8a9097", "stainless_steel": "#b4b9be", "aluminum": "#c9ccd0", "iron": "#55585c",
    "copper": "#b87333", "brass": "#b5a642", "bronze": "#8c6a3b", "titanium": "#878681", "chrome": "#dcdfe3",
    "metal": "#9a9ea3", "glass": "#bfe3ef", "acrylic": "#e8f2f6", "plastic": "#e6e6e6",
    "polycarbonate": "#dcdcdc", "fiberglass": "#eeeeea", "rubber": "#222222", "silicone": "#d0d0d0",
    "carbon_fiber": "#2b2b2b", "concrete": "#a5a5a0", "brick": "#9c4a33", "stone": "#8f8a80",
    "marble": "#eeece6", "granite": "#6f6a66", "ceramic": "#f2efe9", "terracotta": "#c46a45",
    "fabric": "#8c8f99", "linen": "#e5dccb", "velvet": "#5a2d4f", "wool": "#d9d4c7", "cotton": "#f1efe8",
    "leather": "#6e4527", "rattan": "#c8a165", "wicker": "#c29a5b", "cork": "#b88d5b", "fr4": "#2f6b3a",
}

# Colour words a prompt may use; all are CSS names PIL knows, except the few in EXTRA_COLORS.
COLOR_WORDS: tuple[str, ...] = (
    "white", "black", "red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "gray", "grey",
    "silver", "gold", "beige", "navy", "teal", "ivory", "olive", "maroon", "turquoise", "cyan", "magenta", "tan",
    "khaki", "lavender", "coral", "violet", "indigo", "crimson", "charcoal", "cream",
)
EXTRA_COLORS: dict[str, str] = {"charcoal": "#36454f", "cream": "#fffdd0"}
# "dark blue" and friends, only where the joined word is a CSS colour name.
SHADED_COLORS: frozenset[str] = frozenset({
    "darkblue", "darkgreen", "darkred", "darkgray", "darkgrey", "darkorange", "darkviolet", "darkcyan",
    "lightblue", "lightgreen", "lightgray", "lightgrey", "lightpink", "lightyellow", "lightcyan",
})

FEATURE_WORDS: dict[str, str] = {
    "aerodynamic": "aerodynamic", "streamlined": "aerodynamic",
    "electric": "electric", "ev": "electric", "battery powered": "electric", "battery-powered": "electric",
    "hybrid": "hybrid", "wireless": "wireless", "wifi": "wireless", "wi-fi": "wireless", "bluetooth": "wireless",
    "zigbee": "wireless", "smart": "smart", "connected": "smart",
    "foldable": "foldable", "folding": "foldable", "collapsible": "foldable",
    "sustainable": "sustainable", "eco-friendly": "sustainable", "eco friendly": "sustainable",
    "environmentally friendly": "sustainable", "recycled": "sustainable", "leed": "sustainable",
    "solar": "solar", "solar-powered": "solar", "photovoltaic": "solar",
    "energy efficient": "energy_efficient", "energy-efficient": "energy_efficient",
    "waterproof": "waterproof", "water-resistant": "waterproof", "weatherproof": "weatherproof",
    "portable": "portable", "autonomous": "autonomous", "self-driving": "autonomous",
    "ergonomic": "ergonomic", "adjustable": "adjustable", "extendable": "extendable", "extending": "extendable",
    "stackable": "stackable", "modular": "modular", "touchscreen": "touchscreen", "touch screen": "touchscreen",
    "rechargeable": "rechargeable", "insulated": "insulated", "convertible": "convertible",
    "natural lighting": "natural_lighting", "voice control": "voice_control", "voice-controlled": "voice_control",
}

# Proportion words: slim parts for the sleek styles, thicker ones for the heavy styles.
SLIM_WORDS = frozenset({"modern", "minimalist", "minimal", "sleek", "futuristic", "contemporary", "scandinavian"})
STURDY_WORDS = frozenset({"rustic", "farmhouse", "chunky", "heavy", "heavy-duty", "vintage", "classic", "robust"})
SIZE_WORDS: dict[str, float] = {
    "tiny": 0.7, "mini": 0.8, "small": 0.8, "compact": 0.8, "little": 0.8,
    "large": 1.2, "big": 1.2, "grand": 1.2, "spacious": 1.2, "huge": 1.5, "giant": 1.5, "massive": 1.5,
}

# Length units -> metres. ``meters`` is the one spelling specs use.
UNIT_FACTORS: dict[str, float] = {
    "meters": 1.0, "meter": 1.0, "metres": 1.0, "metre": 1.0, "m": 1.0,
    "centimeters": 0.01, "centimeter": 0.01, "centimetres": 0.01, "centimetre": 0.01, "cm": 0.01,
    "millimeters": 0.001, "millimeter": 0.001, "millimetres": 0.001, "millimetre": 0.001, "mm": 0.001,
    "kilometers": 1000.0, "kilometer": 1000.0, "kilometres": 1000.0, "kilometre": 1000.0, "km": 1000.0,
    "feet": 0.3048, "foot": 0.3048, "ft": 0.3048, "'": 0.3048,
    "inches": 0.0254, "inch": 0.0254, "in": 0.0254, '"': 0.0254,
    "yards": 0.9144, "yard": 0.9144, "yd": 0.9144,
}
METERS = "meters"


def supported_types() -> str:
    """The supported design types and categories as one readable line, for error messages."""
    return "; ".join(f"{kind} ({', '.join(categories)})" for kind, categories in DESIGN_TYPES.items())


def display(word: str) -> str:
    """``carbon_fiber`` -> ``Carbon fiber``: a vocabulary word as the start of a name."""
    text = word.replace("_", " ")
    return text[:1].upper() + text[1:]
