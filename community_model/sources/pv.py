"""PV output from a weather year with pvlib, vectorised over array orientations.

The chain, each step a pvlib model: solar position (NREL SPA) -> plane-of-array irradiance
(Perez transposition, ground reflection) -> incidence-angle losses (physical model for the
beam, Martin-Ruiz for diffuse light) -> cell temperature (Faiman) -> DC power (PVWatts,
linear temperature coefficient) -> system losses (a single factor, as PVGIS's "system loss":
cables, inverter, soiling, mismatch). The result is the hourly output of 1 kWp [kW/kWp], one
column per distinct orientation; a home's PV is its kWp times its orientation's column, so
the irradiance is computed once per orientation, not per home.
"""

from __future__ import annotations

import numpy as np

from community_model.sources.solar_position import solar_geometry
from community_model.sources.weather import WeatherYear


def plane_of_array(
    surface_tilt: np.ndarray,
    surface_azimuth: np.ndarray,
    weather: WeatherYear,
    geometry: dict[str, np.ndarray],
    albedo: float = 0.2,
) -> dict[str, np.ndarray]:
    """Irradiance on tilted planes, one column per orientation.

    Parameters
    ----------
    surface_tilt : array (k,)
        Tilt from horizontal [deg].
    surface_azimuth : array (k,)
        Azimuth, clockwise from north (180 = south) [deg].
    weather : WeatherYear
        Hourly GHI, DNI, DHI [W/m^2].
    geometry : dict
        :func:`solar_geometry` of ``weather``.
    albedo : float
        Ground reflectance [-].

    Returns
    -------
    dict of arrays (8760, k)
        ``poa_global``, ``poa_direct``, ``poa_sky_diffuse``, ``poa_ground_diffuse`` [W/m^2]
        and ``aoi`` angle of incidence [deg].

    References
    ----------
    Perez, R. et al. (1990): Modeling daylight availability and irradiance components from
    direct and global irradiance. Solar Energy 44(5).
    """
    import pvlib

    tilt = np.asarray(surface_tilt, float)[None, :]
    azimuth = np.asarray(surface_azimuth, float)[None, :]

    def col(a):
        return np.asarray(a, float)[:, None]

    zenith, sun_azimuth = col(geometry["apparent_zenith"]), col(geometry["azimuth"])
    common = dict(
        surface_tilt=tilt,
        surface_azimuth=azimuth,
        solar_zenith=zenith,
        solar_azimuth=sun_azimuth,
        dni=col(weather.dni),
        ghi=col(weather.ghi),
        dhi=col(weather.dhi),
        dni_extra=col(geometry["dni_extra"]),
        albedo=albedo,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        perez = pvlib.irradiance.get_total_irradiance(
            **common, airmass=col(geometry["airmass"]), model="perez"
        )
        isotropic = pvlib.irradiance.get_total_irradiance(**common, model="isotropic")
        aoi = pvlib.irradiance.aoi(tilt, azimuth, zenith, sun_azimuth)
    result = {}
    for key in ("poa_global", "poa_direct", "poa_sky_diffuse", "poa_ground_diffuse"):
        value = np.asarray(perez[key], float)
        fallback = np.asarray(isotropic[key], float)  # Perez is undefined below the horizon
        result[key] = np.maximum(np.where(np.isfinite(value), value, fallback), 0.0)
    result["aoi"] = np.asarray(aoi, float)
    return result


def effective_irradiance(poa: dict[str, np.ndarray], surface_tilt: np.ndarray) -> np.ndarray:
    """Irradiance reaching the cells after reflection losses [W/m^2].

    Beam light loses by the physical (Fresnel + absorption) incidence-angle model, sky and
    ground diffuse light by the Martin-Ruiz diffuse factors for the array tilt.

    References
    ----------
    Martin, N., Ruiz, J.M. (2001): Calculation of the PV modules angular losses under field
    conditions by means of an analytical model. Solar Energy Materials & Solar Cells 70.
    """
    import pvlib

    iam_beam = np.nan_to_num(pvlib.iam.physical(np.minimum(poa["aoi"], 90.0)), nan=0.0)
    diffuse_iam = pvlib.iam.martin_ruiz_diffuse(np.asarray(surface_tilt, float))
    if isinstance(diffuse_iam, dict):  # pvlib >= 0.13 returns a dict, older ones a tuple
        iam_sky, iam_ground = diffuse_iam["sky"], diffuse_iam["ground"]
    else:
        iam_sky, iam_ground = diffuse_iam
    iam_sky = np.atleast_1d(np.asarray(iam_sky, float))[None, :]
    iam_ground = np.nan_to_num(np.atleast_1d(np.asarray(iam_ground, float)))[None, :]
    return (
        poa["poa_direct"] * iam_beam
        + poa["poa_sky_diffuse"] * iam_sky
        + poa["poa_ground_diffuse"] * iam_ground
    )


def pv_output_kw_per_kwp(
    weather: WeatherYear,
    surface_tilt: np.ndarray,
    surface_azimuth: np.ndarray,
    system_losses: float = 0.14,
    gamma_pdc: float = -0.004,
    albedo: float = 0.2,
) -> np.ndarray:
    """Hourly AC output of 1 kWp for each orientation [kW/kWp] (= kWh per kWp per hour).

    Parameters
    ----------
    weather : WeatherYear
        Hourly irradiance [W/m^2], air temperature [degC], wind speed [m/s].
    surface_tilt, surface_azimuth : array (k,)
        Orientations [deg] (azimuth clockwise from north, 180 = south).
    system_losses : float
        Fraction of DC energy lost before the meter (cables, inverter, soiling, mismatch,
        availability) [-]; PVGIS uses 0.14.
    gamma_pdc : float
        Temperature coefficient of DC power [1/K].
    albedo : float
        Ground reflectance [-].

    Returns
    -------
    array (8760, k)
        Mean AC power of each hour per kWp of modules [kW/kWp].

    References
    ----------
    Faiman, D. (2008): Assessing the outdoor operating temperature of photovoltaic modules.
    Progress in Photovoltaics 16(4). Dobos, A.P. (2014): PVWatts Version 5 Manual,
    NREL/TP-6A20-62641.
    """
    import pvlib

    geometry = solar_geometry(weather)
    poa = plane_of_array(surface_tilt, surface_azimuth, weather, geometry, albedo)
    irradiance_on_cells = effective_irradiance(poa, surface_tilt)
    temp_cell = pvlib.temperature.faiman(
        poa["poa_global"], weather.temp_air[:, None], weather.wind_speed[:, None]
    )
    dc_kw_per_kwp = pvlib.pvsystem.pvwatts_dc(
        irradiance_on_cells, temp_cell, pdc0=1.0, gamma_pdc=gamma_pdc
    )
    total_loss_factor = 1.0 - system_losses
    return np.maximum(np.asarray(dc_kw_per_kwp, float) * total_loss_factor, 0.0)


def draw_orientations(
    n: int,
    tilt_range_deg: tuple[float, float],
    azimuth_range_deg: tuple[float, float],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Each home's array tilt and azimuth [deg], uniform in the ranges, whole degrees.

    Rounding to whole degrees bounds the number of distinct orientations, so the irradiance
    is computed for at most a few thousand planes however many homes there are. Draws n
    tilts, then n azimuths.
    """
    tilt = np.round(rng.uniform(*tilt_range_deg, n))
    azimuth = np.round(rng.uniform(*azimuth_range_deg, n))
    return tilt, azimuth


def pv_by_home_kw_per_kwp(
    weather: WeatherYear,
    tilt: np.ndarray,
    azimuth: np.ndarray,
    system_losses: float,
    gamma_pdc: float,
    albedo: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Output per kWp of each distinct orientation, and each home's column in it.

    Returns
    -------
    output : array (8760, k)
        :func:`pv_output_kw_per_kwp` of the k distinct (tilt, azimuth) pairs [kW/kWp].
    column : array (n,)
        Index of each home's orientation in ``output`` [-].
    """
    pairs, column = np.unique(np.column_stack([tilt, azimuth]), axis=0, return_inverse=True)
    output = pv_output_kw_per_kwp(
        weather, pairs[:, 0], pairs[:, 1], system_losses, gamma_pdc, albedo
    )
    return output, column.reshape(-1)
