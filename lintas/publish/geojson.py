"""GeoJSON (RFC 7946) of every post and office that has coordinates: api/v1/geo/places.geojson."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field

from ..content.model import Site
from ..content.schemas import Coordinates, Text
from .api_models import ApiModel, ApiText, ApiUrls

PLACES_PATH = "api/v1/geo/places.geojson"
MEDIA_TYPE = "application/geo+json"

# URL rules live in api.py; it hands them in as (kind, id) -> URLs.
ApiUrlsFor = Callable[[str, str], ApiUrls]
ApiUrlFor = Callable[[str, str], str]


class PlaceProperties(ApiModel):
    id: str = Field(description="Id of the entity.")
    kind: Literal["posts", "organisations"] = Field(description="Collection of the entity.")
    type: str = Field(description="Its type within the collection, e.g. 'plbn' or 'immigration-office'.")
    name: ApiText = Field(description="Name in Indonesian and English.")
    url: ApiUrls = Field(description="Its pages on the site.")
    api_url: str = Field(description="Its API document.", json_schema_extra={"format": "uri"})
    approximate: bool = Field(description="True unless surveyed: never use it to navigate.")


class Point(ApiModel):
    type: Literal["Point"] = Field(description="Always 'Point'.")
    coordinates: tuple[float, float] = Field(description="[longitude, latitude], WGS 84 (RFC 7946 order).")


class PlaceFeature(ApiModel):
    type: Literal["Feature"] = Field(description="Always 'Feature'.")
    id: str = Field(description="'<kind>/<id>', unique in the collection.")
    geometry: Point
    properties: PlaceProperties


class PlaceCollection(ApiModel):
    """Posts and offices with coordinates, as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = Field(description="Always 'FeatureCollection'.")
    features: list[PlaceFeature] = Field(description="One point per post or office, posts first, in id order.")


def places(site: Site, urls: ApiUrlsFor, api_url: ApiUrlFor) -> PlaceCollection:
    """Posts, then organisations, each in id order; only those whose coordinates a source gives."""
    located: list[tuple[str, str, str, Text, Coordinates]] = [
        ("posts", i, p.kind, p.name, p.coordinates) for i, p in site.posts.items() if p.coordinates
    ] + [
        ("organisations", i, o.kind, o.name, o.coordinates)
        for i, o in site.organisations.items() if o.coordinates
    ]
    features = [
        PlaceFeature(
            type="Feature",
            id=f"{kind}/{ent_id}",
            geometry=Point(type="Point", coordinates=(coords.lon, coords.lat)),
            properties=PlaceProperties(
                id=ent_id, kind=kind, type=typ,
                name=ApiText(id=name.id, en=name.en),
                url=urls(kind, ent_id), api_url=api_url(kind, ent_id),
                approximate=coords.approximate,
            ),
        )
        for kind, ent_id, typ, name, coords in located
    ]
    return PlaceCollection(type="FeatureCollection", features=features)
