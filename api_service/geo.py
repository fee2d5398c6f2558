"""Great-circle distance and the bounding box that prefilters a radius search (pure)."""

import math
from dataclasses import dataclass
from typing import Final

EARTH_RADIUS_M: Final = 6_371_008.8  # mean Earth radius (IUGG)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres between two points on a spherical Earth."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """Latitude range and one or two longitude ranges (two when crossing the antimeridian)."""

    lat_min: float
    lat_max: float
    lon_ranges: tuple[tuple[float, float], ...]


def bounding_box(lat: float, lon: float, radius_m: float) -> BoundingBox:
    """A box containing every point within `radius_m` of (lat, lon).

    Exact for a sphere (J. Matuschek, "Finding points within a distance of a latitude/
    longitude"): near a pole the box spans every longitude.
    """
    angular = radius_m / EARTH_RADIUS_M
    lat_min = lat - math.degrees(angular)
    lat_max = lat + math.degrees(angular)
    if lat_min <= -90 or lat_max >= 90 or angular >= math.pi / 2:
        return BoundingBox(max(lat_min, -90.0), min(lat_max, 90.0), ((-180.0, 180.0),))
    dlon = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(math.radians(lat)))))
    west, east = lon - dlon, lon + dlon
    ranges: tuple[tuple[float, float], ...]
    if west < -180:
        ranges = ((west + 360, 180.0), (-180.0, east))
    elif east > 180:
        ranges = ((west, 180.0), (-180.0, east - 360))
    else:
        ranges = ((west, east),)
    return BoundingBox(lat_min, lat_max, ranges)
