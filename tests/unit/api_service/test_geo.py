"""Haversine distances and the radius bounding box."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api_service.geo import bounding_box, haversine_m


@pytest.mark.parametrize(
    ("a", "b", "metres"),
    [
        ((0.0, 0.0), (0.0, 0.0), 0.0),
        ((0.0, 0.0), (0.0, 1.0), 111_195.08),  # one degree on the equator
        ((0.0, 179.5), (0.0, -179.5), 111_195.08),  # across the antimeridian
        ((90.0, 0.0), (-90.0, 0.0), math.pi * 6_371_008.8),  # pole to pole
    ],
)
def test_haversine(a: tuple[float, float], b: tuple[float, float], metres: float) -> None:
    assert haversine_m(*a, *b) == pytest.approx(metres, abs=0.01)


@pytest.mark.parametrize(
    ("lat", "lon", "radius", "ranges"),
    [
        (52.0, 4.0, 1000.0, 1),
        (0.0, 179.99, 5000.0, 2),
        (0.0, -179.99, 5000.0, 2),
        (89.99, 0.0, 5000.0, 1),  # around the pole: every longitude
    ],
)
def test_box_splits_at_the_antimeridian(lat: float, lon: float, radius: float, ranges: int) -> None:
    box = bounding_box(lat, lon, radius)
    assert len(box.lon_ranges) == ranges
    assert all(-180 <= w <= e <= 180 for w, e in box.lon_ranges)


def _inside(
    box_lat: tuple[float, float], ranges: tuple[tuple[float, float], ...], p: tuple[float, float]
) -> bool:
    return box_lat[0] <= p[0] <= box_lat[1] and any(w <= p[1] <= e for w, e in ranges)


@given(
    st.floats(-89.9, 89.9),
    st.floats(-180, 180),
    st.floats(10, 50_000),
    st.floats(0, 2 * math.pi),
    st.floats(0, 0.999),
)
def test_every_point_within_the_radius_is_inside_the_box(
    lat: float, lon: float, radius: float, bearing: float, fraction: float
) -> None:
    # A point at `fraction` of the radius along `bearing` (spherical destination formula).
    d = radius * fraction / 6_371_008.8
    phi, lam = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi) * math.cos(d) + math.cos(phi) * math.sin(d) * math.cos(bearing))
    lam2 = lam + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(phi),
        math.cos(d) - math.sin(phi) * math.sin(phi2),
    )
    point = (math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180)
    box = bounding_box(lat, lon, radius)
    assert _inside((box.lat_min, box.lat_max), box.lon_ranges, point)
