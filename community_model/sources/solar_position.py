"""The sun's position over a weather year, with pvlib (the one module both the weather
reader, to split irradiance, and the PV model need)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from community_model.sources.weather import WeatherYear


def solar_geometry(weather: WeatherYear) -> dict[str, np.ndarray]:
    """Sun position at the centre of each weather hour.

    Returns
    -------
    dict of arrays (8760,)
        ``zenith``, ``apparent_zenith``, ``azimuth`` [deg], ``dni_extra`` extraterrestrial
        normal irradiance [W/m^2], ``airmass`` relative air mass [-] (NaN below the horizon).
    """
    import pvlib

    times = weather.hour_midpoints()
    with warnings.catch_warnings():  # pandas deprecations inside pvlib
        warnings.simplefilter("ignore", DeprecationWarning)
        position = pvlib.solarposition.get_solarposition(
            times, weather.latitude, weather.longitude, altitude=weather.altitude
        )
        dni_extra = np.asarray(pvlib.irradiance.get_extra_radiation(times), float)
    apparent_zenith = position["apparent_zenith"].to_numpy()
    return {
        "zenith": position["zenith"].to_numpy(),
        "apparent_zenith": apparent_zenith,
        "azimuth": position["azimuth"].to_numpy(),
        "dni_extra": dni_extra,
        "airmass": np.asarray(pvlib.atmosphere.get_relative_airmass(apparent_zenith), float),
    }
