"""Dashboards across many checked adverts: figures (``figures``), SVG charts (``charts``) and the
files of a dashboard (``render``), for a job's web page and ``python -m checker report``."""

from checker.surfaces.dashboard.figures import Advert, Figure, Row, figures
from checker.surfaces.dashboard.render import Dashboard

__all__ = ["Advert", "Dashboard", "Figure", "Row", "figures"]
