"""Seed the luxury styles and the listing-rule disclosure profiles.

Prompt templates take ``{room}`` (e.g. "living room") and ``{quality}`` (extra
detail words for premium). Staff edit both tables in the admin afterwards.
"""

from django.db import migrations

NEGATIVE = ("people, person, text, watermark, logo, lowres, blurry, distorted perspective, warped walls, "
            "extra windows, extra doors, changed ceiling, cluttered, deformed furniture")

STYLES = [
    {
        "id": "modern_luxury", "name": "Modern Luxury",
        "description": "Clean lines, premium materials, sophisticated neutrals",
        "best_for": ["contemporary_homes", "urban_properties", "high_end_condos"], "price_range": "luxury",
        "palette": ["#f2efe9", "#c9c3b8", "#3a3a3a", "#b08d57"],
        "prompt_template": ("professionally staged {room} in modern luxury style, low-profile sofa in bouclé and "
                            "cashmere, travertine coffee table, brushed brass accents, sculptural floor lamp, "
                            "neutral palette of ivory, taupe and charcoal, large abstract art, wool area rug, "
                            "soft natural daylight, architectural digest interior photography, {quality}"),
    },
    {
        "id": "classic_elegance", "name": "Classic Elegance",
        "description": "Timeless pieces, rich textures, traditional luxury",
        "best_for": ["traditional_homes", "historic_properties", "luxury_estates"], "price_range": "luxury",
        "palette": ["#efe6d8", "#7b2d26", "#1f3b4d", "#c5a46d"],
        "prompt_template": ("professionally staged {room} in classic elegant style, tufted velvet chesterfield, "
                            "carved walnut side tables, silk damask cushions, crystal table lamps, persian rug, "
                            "gilded mirror, deep burgundy and navy accents on cream, warm ambient light, "
                            "luxury real estate interior photography, {quality}"),
    },
    {
        "id": "scandinavian_luxe", "name": "Scandinavian Luxe",
        "description": "Light oak, soft wool and calm whites with quiet luxury",
        "best_for": ["new_builds", "family_homes", "lofts"], "price_range": "premium",
        "palette": ["#fafaf7", "#d9cbb3", "#8c9a8b", "#2f2f2f"],
        "prompt_template": ("professionally staged {room} in scandinavian luxe style, light oak furniture, "
                            "cream wool sofa, sheepskin throw, paper pendant light, linen curtains, ceramic vases, "
                            "white and sage palette, airy bright daylight, editorial interior photography, {quality}"),
    },
    {
        "id": "coastal_retreat", "name": "Coastal Retreat",
        "description": "Breezy linens, natural fibres and sea-glass blues",
        "best_for": ["beach_homes", "vacation_rentals", "waterfront_properties"], "price_range": "premium",
        "palette": ["#f7f4ee", "#a9c6cf", "#d8c7a6", "#35607a"],
        "prompt_template": ("professionally staged {room} in coastal retreat style, slipcovered white linen sofa, "
                            "rattan armchairs, jute rug, weathered driftwood coffee table, sea-glass blue accents, "
                            "woven pendant, bright soft daylight, luxury coastal interior photography, {quality}"),
    },
    {
        "id": "industrial_chic", "name": "Industrial Chic",
        "description": "Leather, blackened steel and reclaimed wood, refined",
        "best_for": ["lofts", "converted_warehouses", "urban_properties"], "price_range": "premium",
        "palette": ["#e6e1da", "#8a5a3b", "#3b3b3b", "#111111"],
        "prompt_template": ("professionally staged {room} in refined industrial style, cognac leather sofa, "
                            "blackened steel and reclaimed oak tables, vintage kilim rug, globe pendant lights, "
                            "large plants, warm moody light, high-end loft interior photography, {quality}"),
    },
    {
        "id": "mid_century_modern", "name": "Mid-Century Modern",
        "description": "Walnut, tapered legs and confident colour",
        "best_for": ["mid_century_homes", "ranch_houses", "condos"], "price_range": "luxury",
        "palette": ["#f1ebe1", "#8b5a2b", "#d08c2e", "#2e5e4e"],
        "prompt_template": ("professionally staged {room} in mid-century modern style, walnut credenza, "
                            "tapered-leg sofa in olive velvet, lounge chair with ottoman, sputnik chandelier, "
                            "mustard and teal accents, geometric rug, golden-hour light, "
                            "luxury interior photography, {quality}"),
    },
]

PROFILES = [
    {
        "slug": "california", "name": "California (AB 723)", "mark": "caption", "link_to_original": True,
        "statement": "Virtually staged",
        "description": ("California requires a conspicuous statement on or next to a digitally altered listing "
                        "photo and a link or QR code to the unaltered original."),
        "description_text": "Virtually staged. The unaltered original photo is at the link provided.",
        "sort_order": 0,
    },
    {
        "slug": "mls_watermark", "name": "MLS requiring a watermark", "mark": "watermark", "link_to_original": False,
        "statement": "Virtually staged",
        "description": "MLSs that require a visible watermark on virtually staged photos.",
        "description_text": "", "sort_order": 1,
    },
    {
        "slug": "mls_description_only", "name": "MLS forbidding marks on photos", "mark": "none",
        "link_to_original": False, "statement": "Virtually staged",
        "description": "MLSs that forbid watermarks but require the disclosure in the photo description.",
        "description_text": "This photo has been virtually staged.", "sort_order": 2,
    },
]


def seed(apps, schema_editor):
    Style = apps.get_model("staging", "Style")
    Profile = apps.get_model("staging", "DisclosureProfile")
    for order, style in enumerate(STYLES):
        Style.objects.update_or_create(id=style["id"], defaults={**style, "negative_prompt": NEGATIVE,
                                                                 "sort_order": order})
    for profile in PROFILES:
        Profile.objects.update_or_create(slug=profile["slug"], defaults=profile)


def unseed(apps, schema_editor):
    apps.get_model("staging", "Style").objects.filter(id__in=[s["id"] for s in STYLES]).delete()
    apps.get_model("staging", "DisclosureProfile").objects.filter(slug__in=[p["slug"] for p in PROFILES]).delete()


class Migration(migrations.Migration):
    dependencies = [("staging", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
