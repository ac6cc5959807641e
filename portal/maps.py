"""The map of the region, drawn on the server as SVG from the boundaries shipped in
``portal/data/region-municipalities.geojson`` (VG5000 © GeoBasis-DE / BKG 2021, Datenlizenz
Deutschland – Namensnennung 2.0). No tiles, no map library, no request to another host.

``region_map`` returns plain data (one path per municipality, an optional marker); the
templates ``portal/includes/region_map.html`` (links to the profiles) and
``portal/includes/locator_map.html`` (an event's place) render it.
"""

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

GEOJSON = Path(__file__).resolve().parent / "data" / "region-municipalities.geojson"
ATTRIBUTION = "© GeoBasis-DE / BKG 2021"
LICENCE_NAME = "Datenlizenz Deutschland – Namensnennung – Version 2.0"
LICENCE_URL = "https://www.govdata.de/dl-de/by-2-0"
WIDTH = 600  # SVG user units; the height follows from the region's shape
PADDING = 12


@dataclass(frozen=True)
class Shape:
    name: str
    path: str  # SVG path data
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Region:
    width: int
    height: int
    shapes: tuple[Shape, ...]
    west: float
    east: float
    south: float
    north: float
    scale: float
    lon_factor: float

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x = PADDING + (lon - self.west) * self.lon_factor * self.scale
        y = PADDING + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


@dataclass(frozen=True)
class MapArea:
    name: str
    path: str
    label_x: float
    label_y: float
    url: str = ""
    highlighted: bool = False


@dataclass(frozen=True)
class RegionMap:
    width: int
    height: int
    areas: list[MapArea]
    marker: tuple[float, float] | None
    attribution: str = ATTRIBUTION
    licence_name: str = LICENCE_NAME
    licence_url: str = LICENCE_URL


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid of a closed ring in map units (the label's place)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not area:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * area), cy / (3 * area)


@cache
def region() -> Region:
    """The projected region (equirectangular at the region's mean latitude: at this size
    no projection differs visibly). Read once per process."""
    features = json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]
    points = [p for f in features for ring in _rings(f["geometry"]) for p in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    lon_factor = math.cos(math.radians((south + north) / 2))
    scale = (WIDTH - 2 * PADDING) / ((east - west) * lon_factor)
    height = round((north - south) * scale + 2 * PADDING)
    frame = Region(WIDTH, height, (), west, east, south, north, scale, lon_factor)
    shapes = []
    for feature in features:
        rings = [
            [frame.point(lon, lat) for lon, lat in ring] for ring in _rings(feature["geometry"])
        ]
        path = " ".join(
            "M" + " L".join(f"{x},{y}" for x, y in ring) + " Z" for ring in rings if ring
        )
        largest = max(rings, key=len)
        label_x, label_y = _centroid(largest)
        shapes.append(Shape(feature["properties"]["name"], path, round(label_x), round(label_y)))
    return Region(WIDTH, height, tuple(shapes), west, east, south, north, scale, lon_factor)


def _label_y(shape: Shape, marker: tuple[float, float] | None) -> float:
    """A label the marker would cover moves above it."""
    if marker and abs(shape.label_x - marker[0]) < 90 and abs(shape.label_y - marker[1]) < 30:
        return round(marker[1] - 36)
    return shape.label_y


def region_map(
    *,
    urls: dict[str, str] | None = None,
    highlight: str | None = None,
    position: tuple[Decimal | float, Decimal | float] | None = None,
) -> RegionMap:
    """The map: ``urls`` maps a municipality's name to its page (the areas become links),
    ``highlight`` names a municipality to stand out, ``position`` (latitude, longitude) puts
    a marker on the map; a position outside the region gets none."""
    frame = region()
    urls = urls or {}
    marker = None
    if position is not None:
        lat, lon = float(position[0]), float(position[1])
        if frame.contains(lon, lat):
            marker = frame.point(lon, lat)
    areas = [
        MapArea(
            shape.name,
            shape.path,
            shape.label_x,
            _label_y(shape, marker),
            url=urls.get(shape.name, ""),
            highlighted=shape.name == highlight,
        )
        for shape in frame.shapes
    ]
    return RegionMap(frame.width, frame.height, areas, marker)
