"""Open-data documents (GeoJSON, NGSI-LD, DATEX II v3) as pure functions of plain rows.

The rows (`facts.py`) carry counts and statuses the API already computed with its one
effective-status rule; these modules only translate them into each standard's shape.
"""
