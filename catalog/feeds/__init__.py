"""Product feeds: Google Merchant Center (TSV and RSS 2.0 XML) and Shopify's product CSV import.

``listing`` gathers what a feed says about a product (the seller's fields, and the
copy, tags and alt text a language model wrote in the analysis), ``readiness``
lists what each feed still misses per product, and ``google`` and ``shopify``
write the files. A feed holds the owner's active products that miss nothing it
requires; the others are listed by ``readiness`` with what to fill in.
"""
