"""Weather years for the PV model: readers for the files that ship with the dependencies.

A :class:`WeatherYear` is one typical year of hourly weather (8760 hours, no 29 February) on
its clock: a fixed standard time (``utc_offset_hours``), or the true solar time of a
meridian (``solar_time_longitude``, the DWD test reference years). Hour ``i`` of the year
covers ``[i, i + 1)`` hours after 1 January 00:00 of that clock. A simulated instant is mapped
onto it by :func:`hour_of_weather_year`: its month, day and hour on that clock (29 February
reuses 28 February), so a run in any year, of any length, reads a complete year of weather.

Sources that work offline:

``TRY2010_01`` ... ``TRY2010_15`` (default ``TRY2010_04``, Potsdam)
    The German Weather Service's test reference years 2010 (mean years of 1988-2007) for the
    15 climate regions of Germany, shipped inside ``demandlib``: hourly direct and diffuse
    horizontal irradiance, air temperature and wind speed, hour ending. The file says CET
    (``HH Stunde (MEZ)``), but the irradiance is on the station's true solar time, as DWD
    station radiation is recorded (see :func:`read_try2010` for the evidence).
``723170TYA`` (Greensboro, NC), ``703165TY`` (Sand Point, AK)
    NREL TMY3 files shipped inside ``pvlib`` (GHI, DNI, DHI, hour ending, local standard time).
a path to a CSV file
    Your own year, see :func:`read_weather_csv`; GHI-only data are decomposed with Erbs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from community_model.errors import ParameterError
from community_model.sources.calendar import ns, parse_iso_timestamps
from community_model.sources.solar_position import solar_geometry

HOURS_PER_YEAR = 8760
TRY_REGIONS = tuple(f"TRY2010_{k:02d}" for k in range(1, 16))
TMY3_FILES = {"723170TYA": "723170TYA.CSV", "703165TY": "703165TY.csv"}
#: Names of the weather years that ship with the dependencies.
BUILTIN_WEATHER = TRY_REGIONS + tuple(TMY3_FILES)
#: Columns of a user's weather CSV: required and optional.
WEATHER_CSV_REQUIRED = ("timestamp", "ghi")
WEATHER_CSV_OPTIONAL = ("dni", "dhi", "temp_air", "wind_speed")


class WeatherError(ParameterError):
    """A weather file is missing or malformed; the one-line message names it."""


@dataclass(frozen=True)
class WeatherYear:
    """One typical year of hourly weather, 8760 hours on a fixed clock."""

    name: str  #: where the data come from
    latitude: float  #: [deg north]
    longitude: float  #: [deg east]
    altitude: float  #: [m]
    utc_offset_hours: float  #: the data's clock [h east of UTC]
    ghi: np.ndarray  #: global horizontal irradiance, mean of the hour [W/m^2]
    dni: np.ndarray  #: direct normal irradiance [W/m^2]
    dhi: np.ndarray  #: diffuse horizontal irradiance [W/m^2]
    temp_air: np.ndarray  #: air temperature [degC]
    wind_speed: np.ndarray  #: wind speed [m/s]
    #: the data are on the true solar time of this meridian [deg east] (None: on the fixed
    #: clock ``utc_offset_hours``); the station's, kept when the site is moved
    solar_time_longitude: float | None = None

    def hour_midpoints(self, year: int = 2023) -> pd.DatetimeIndex:
        """Centre of each hour of the weather year, tz-aware, in a common ``year``."""
        tz = _fixed_tz(self.utc_offset_hours)
        start = pd.Timestamp(year=year, month=1, day=1).tz_localize(tz)
        clock_hours = np.arange(HOURS_PER_YEAR) + 0.5
        if self.solar_time_longitude is None:
            return start + pd.to_timedelta(clock_hours, unit="h")
        day_of_year = np.arange(HOURS_PER_YEAR) // 24 + 1
        ahead = solar_time_offset_hours(self.solar_time_longitude, day_of_year)
        utc_start = pd.Timestamp(year=year, month=1, day=1, tz="UTC")
        utc = utc_start + pd.to_timedelta(clock_hours - ahead, unit="h")
        return utc.tz_convert(tz)

    def hour_of(self, times: pd.DatetimeIndex) -> np.ndarray:
        """Index of the weather hour holding each instant (:func:`hour_of_weather_year`)."""
        return hour_of_weather_year(times, self.utc_offset_hours, self.solar_time_longitude)


def solar_time_offset_hours(longitude: float, day_of_year) -> np.ndarray:
    """How far true solar time runs ahead of UTC [h]: longitude / 15 + equation of time.

    Parameters
    ----------
    longitude : float
        [deg east].
    day_of_year : numeric
        1 .. 365 [-].

    References
    ----------
    Spencer, J.W. (1971): Fourier series representation of the position of the sun. Search
    2(5), 172 (``pvlib.solarposition.equation_of_time_spencer71``, [min]).

    Examples
    --------
    >>> round(float(solar_time_offset_hours(15.0, 305)), 2)  # 1 November, EoT about +16 min
    1.27
    """
    from pvlib.solarposition import equation_of_time_spencer71

    equation_of_time_min = equation_of_time_spencer71(np.asarray(day_of_year, float))
    return longitude / 15.0 + np.asarray(equation_of_time_min, float) / 60.0


def _fixed_tz(offset_hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=offset_hours))


def hour_of_weather_year(
    times: pd.DatetimeIndex, utc_offset_hours: float, solar_time_longitude: float | None = None
) -> np.ndarray:
    """Index of the weather hour holding each instant of ``times`` [-], 0 .. 8759.

    The instant is read on the weather's clock (UTC + ``utc_offset_hours``, or the true solar
    time of ``solar_time_longitude`` [deg east], :func:`solar_time_offset_hours`); its day of
    a common year (29 February counts as 28 February) and hour give the index.

    Examples
    --------
    >>> t = pd.DatetimeIndex(["2023-01-01 00:30+01:00", "2024-03-01 12:00+01:00"])
    >>> hour_of_weather_year(t, 1.0).tolist()
    [0, 1404]
    >>> hour_of_weather_year(pd.DatetimeIndex(["2023-06-21 11:50+00:00"]), 1.0, 0.0).tolist()
    [4091]
    """
    utc = times.tz_convert("UTC").tz_localize(None)
    if solar_time_longitude is None:
        shifted = utc + pd.Timedelta(hours=utc_offset_hours)
    else:
        day_of_year = np.minimum(utc.day_of_year.to_numpy(), 365)
        ahead = solar_time_offset_hours(solar_time_longitude, day_of_year)
        shifted = utc + pd.to_timedelta(ahead, unit="h")
    day_of_year = shifted.day_of_year.to_numpy() - 1
    leap_after_feb = shifted.is_leap_year & (shifted.month > 2)
    leap_feb29 = shifted.is_leap_year & (shifted.month == 2) & (shifted.day == 29)
    day_of_year = day_of_year - leap_after_feb.astype(int) - leap_feb29.astype(int)
    return day_of_year * 24 + shifted.hour.to_numpy()


# --- time zone, station and site --------------------------------------------------------------
#: Largest gap between a time zone's standard offset and the site's solar time [h]: the widest
#: on land are about 3 h (western China on UTC+8, Spain on UTC+1 is 1.3 h).
MAX_CLOCK_GAP_HOURS = 3.5
#: Distance from the weather station beyond which a site gets a warning [km].
MAX_STATION_DISTANCE_KM = 500.0


def check_site_clock(
    weather: WeatherYear, timezone: str, start: pd.Timestamp, station_longitude: float,
    station_latitude: float,
) -> None:  # fmt: skip
    """Refuse a time zone far from the site's solar time; warn of a site far from the station.

    A zone whose standard UTC offset differs from the site's mean solar time (longitude / 15)
    by more than ``MAX_CLOCK_GAP_HOURS`` puts daylight in the night (Potsdam weather on
    America/New_York: 19 % of the PV between 00:00 and 04:00).

    Raises
    ------
    ParameterError
        Naming the time zone, its offset and the site's longitude.
    """
    import warnings
    import zoneinfo

    zone = zoneinfo.ZoneInfo(timezone)
    moment = start.to_pydatetime().astimezone(zone)
    dst = moment.dst() or dt.timedelta(0)
    standard_offset = (moment.utcoffset() - dst).total_seconds() / 3600.0
    solar_offset = weather.longitude / 15.0
    if abs(standard_offset - solar_offset) > MAX_CLOCK_GAP_HOURS:
        raise ParameterError(
            f"timezone {timezone!r} (UTC{standard_offset:+g}) does not fit the site at "
            f"{weather.longitude:.2f} deg E of weather {weather.name!r} (solar time "
            f"UTC{solar_offset:+.1f}): set timezone to the site's zone, or site_latitude and "
            "site_longitude"
        )
    distance = _distance_km(
        station_latitude, station_longitude, weather.latitude, weather.longitude
    )
    if distance > MAX_STATION_DISTANCE_KM:
        warnings.warn(
            f"the site ({weather.latitude:.2f} N, {weather.longitude:.2f} E) is {distance:,.0f} "
            f"km from the station of weather {weather.name!r}: its weather may not fit the site",
            UserWarning,
            stacklevel=3,
        )


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance [km] (haversine, Earth radius 6371 km)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = phi2 - phi1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    return float(2 * 6371.0 * np.arcsin(np.sqrt(a)))


# --- readers ----------------------------------------------------------------------------------
def load_weather(
    source: str, latitude: float | None = None, longitude: float | None = None
) -> WeatherYear:
    """The weather year ``source`` names: a built-in name or the path of a CSV file.

    ``latitude``/``longitude`` [deg] override the station's coordinates (needed for a CSV).
    """
    if source in TRY_REGIONS:
        weather = read_try2010(int(source[-2:]))
    elif source in TMY3_FILES:
        weather = read_pvlib_tmy3(source)
    else:
        if latitude is None or longitude is None:
            raise WeatherError(
                f"weather file {source}: site_latitude and site_longitude are needed for a "
                "weather file of your own"
            )
        weather = read_weather_csv(source, latitude, longitude)
    if latitude is not None and longitude is not None:
        weather = _with_site(weather, latitude, longitude)
    return weather


def _with_site(weather: WeatherYear, latitude: float, longitude: float) -> WeatherYear:
    return replace(weather, latitude=float(latitude), longitude=float(longitude))


def try2010_path(region: int) -> Path:
    """Path of the DWD TRY2010 file of climate ``region`` (1 .. 15) inside demandlib."""
    import demandlib.vdi

    base = Path(demandlib.vdi.__file__).parent / "resources_weather"
    return base / f"TRY2010_{region:02d}_Jahr.dat"


@lru_cache(maxsize=16)
def read_try2010(region: int) -> WeatherYear:
    """Read a DWD test reference year 2010 (``TRY2010_<region>_Jahr.dat`` in demandlib).

    Columns used: ``B`` direct and ``D`` diffuse horizontal irradiance [W/m^2], ``t`` air
    temperature [degC], ``WG`` wind speed at 10 m [m/s]. Hours ``HH`` = 1 .. 24 are hour
    ending on the station's true solar time (``solar_time_longitude``), although the file's
    header says ``Stunde (MEZ)``: DWD records station radiation in true local time
    (*wahre Ortszeit*), and the data agree. Read as CET, the irradiance-weighted mean hour
    angle lies 12-32 min before solar noon in all 15 regions, east-facing arrays yield
    8-18 % more than west-facing ones, and up to 41 hours a year (Hamburg, Mannheim) have
    irradiance while the sun is below the horizon for the whole hour; read as solar time,
    the mean hour angle is within 4 min of noon in 9 regions (at most 17 min, in the
    south-east, where afternoon convection is plausible) and no such hour is left
    (``tests/sources/test_weather_time_base.py``). demandlib's own reader
    (``demandlib.vdi.dwd_try``) uses only temperature and cloud cover, so it settles
    nothing about irradiance. DNI is the direct horizontal irradiance over the cosine of the solar
    zenith at the hour's centre; near the horizon, where that ratio is unstable, the direct
    part is counted as diffuse so that GHI = B + D is kept.

    References
    ----------
    Deutscher Wetterdienst, BBR (2011): Aktualisierte und erweiterte Testreferenzjahre
    von Deutschland für mittlere, extreme und zukünftige Witterungsverhältnisse.
    """
    path = try2010_path(region)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(k for k, line in enumerate(lines) if line.startswith("***")) - 1
    data = pd.read_csv(
        path,
        sep=r"\s+",
        skiprows=header + 2,
        header=None,
        names=lines[header].split(),
        encoding="utf-8",
    )
    latitude, longitude, altitude = _try_location(lines[2])
    if len(data) != HOURS_PER_YEAR:
        raise WeatherError(f"weather file {path}: {len(data)} hours, expected {HOURS_PER_YEAR}")
    direct_h = data["B"].to_numpy(float)
    diffuse = data["D"].to_numpy(float)
    ghi = direct_h + diffuse
    partial = WeatherYear(
        name=f"TRY2010_{region:02d} ({lines[1].split('WMO')[0].replace('Station:', '').strip()})",
        latitude=latitude,
        longitude=longitude,
        altitude=altitude,
        utc_offset_hours=1.0,
        solar_time_longitude=longitude,
        ghi=ghi,
        dni=np.zeros(HOURS_PER_YEAR),
        dhi=diffuse,
        temp_air=data["t"].to_numpy(float),
        wind_speed=data["WG"].to_numpy(float),
    )
    dni, dhi = _dni_from_direct_horizontal(partial, direct_h)
    return replace(partial, dni=dni, dhi=dhi)


def _try_location(line: str) -> tuple[float, float, float]:
    """Parse ``Lage: 52°23'N <- B.  13°04'O <- L.    81 Meter über NN``."""
    match = re.search(r"(\d+)\D(\d+)'N.*?(\d+)\D(\d+)'O.*?(-?\d+)\s+Meter", line)
    if not match:
        raise WeatherError(f"cannot read the station location from {line!r}")
    lat_d, lat_m, lon_d, lon_m, alt = (int(g) for g in match.groups())
    return lat_d + lat_m / 60.0, lon_d + lon_m / 60.0, float(alt)


def _dni_from_direct_horizontal(
    weather: WeatherYear, direct_horizontal: np.ndarray, max_zenith: float = 87.0
) -> tuple[np.ndarray, np.ndarray]:
    """DNI [W/m^2] = direct horizontal / cos(zenith); below the horizon limit the direct
    part is added to DHI instead, so GHI is unchanged."""
    zenith = solar_geometry(weather)["zenith"]
    usable = zenith < max_zenith
    cos_zenith = np.cos(np.radians(np.where(usable, zenith, 0.0)))
    dni = np.where(usable, direct_horizontal / cos_zenith, 0.0)
    dhi = weather.dhi + np.where(usable, 0.0, direct_horizontal)
    return dni, dhi


@lru_cache(maxsize=4)
def read_pvlib_tmy3(name: str) -> WeatherYear:
    """Read one of the NREL TMY3 files shipped with pvlib (hour ending, local standard time).

    References
    ----------
    Wilcox, S., Marion, W. (2008): Users Manual for TMY3 Data Sets. NREL/TP-581-43156.
    """
    import pvlib
    from pvlib.iotools import read_tmy3

    path = Path(pvlib.__file__).parent / "data" / TMY3_FILES[name]
    data, meta = read_tmy3(str(path), map_variables=True)
    return WeatherYear(
        name=f"{name} ({meta['Name'].strip(chr(34))}, {meta['State']})",
        latitude=float(meta["latitude"]),
        longitude=float(meta["longitude"]),
        altitude=float(meta["altitude"]),
        utc_offset_hours=float(meta["TZ"]),
        ghi=data["ghi"].to_numpy(float),
        dni=data["dni"].to_numpy(float),
        dhi=data["dhi"].to_numpy(float),
        temp_air=data["temp_air"].to_numpy(float),
        wind_speed=data["wind_speed"].to_numpy(float),
    )


def read_weather_csv(path: str | Path, latitude: float, longitude: float) -> WeatherYear:
    """Read a user's year of hourly weather from CSV.

    Format: one row per hour of one year (8760 rows, or 8784 for a leap year, whose 29
    February is dropped); columns ``timestamp`` (ISO 8601 with a UTC offset, e.g.
    ``2019-01-01T00:00+01:00``, the start of the hour; one fixed offset for the whole file:
    standard time, not daylight saving time), ``ghi`` [W/m^2] and optionally ``dni``,
    ``dhi`` [W/m^2] (both or neither; without them GHI is split with the Erbs model),
    ``temp_air`` [degC] (default 12) and ``wind_speed`` [m/s] (default 1). Values are means
    over the hour starting at ``timestamp``.
    """
    path = Path(path)
    where = f"weather file {path}"
    if not path.is_file():
        raise WeatherError(f"{where}: no such file")
    try:
        data = pd.read_csv(path)
    except (ValueError, OSError) as err:
        raise WeatherError(f"{where}: cannot be read as CSV ({err})") from None
    missing = [c for c in WEATHER_CSV_REQUIRED if c not in data.columns]
    if missing:
        raise WeatherError(f"{where}: missing column {missing[0]!r}")
    if ("dni" in data.columns) != ("dhi" in data.columns):
        raise WeatherError(f"{where}: give both 'dni' and 'dhi', or neither")
    try:
        times = parse_iso_timestamps(data["timestamp"])
    except ValueError as err:
        raise WeatherError(f"{where}: column 'timestamp' has a bad timestamp ({err})") from None
    if times.tz is None:
        raise WeatherError(f"{where}: timestamps need a UTC offset (e.g. 2019-01-01T00:00+01:00)")
    offsets = {t.utcoffset() for t in times[:: max(1, len(times) // 50)]} | {times[-1].utcoffset()}
    if len(offsets) != 1:
        raise WeatherError(f"{where}: timestamps must use one fixed UTC offset (standard time)")
    if not (np.diff(ns(times)) == 3_600_000_000_000).all():
        raise WeatherError(f"{where}: timestamps must be consecutive hours")
    keep = ~((times.month == 2) & (times.day == 29))
    if keep.sum() != HOURS_PER_YEAR:
        raise WeatherError(f"{where}: {len(times)} rows, expected one year of hours (8760)")
    first = times[0]
    if not (first.month == 1 and first.day == 1 and first.hour == 0):
        raise WeatherError(f"{where}: the first row must be 1 January 00:00, got {first}")
    columns = {}
    for name in ("ghi", *WEATHER_CSV_OPTIONAL):
        if name not in data.columns:
            continue
        values = pd.to_numeric(data[name], errors="coerce").to_numpy(float)[keep]
        if not np.isfinite(values).all():
            raise WeatherError(f"{where}: column {name!r} has a missing or non-numeric value")
        if name in ("ghi", "dni", "dhi", "wind_speed") and (values < 0).any():
            raise WeatherError(f"{where}: column {name!r} has a negative value")
        columns[name] = values
    offset = first.utcoffset().total_seconds() / 3600.0
    weather = WeatherYear(
        name=str(path),
        latitude=float(latitude),
        longitude=float(longitude),
        altitude=0.0,
        utc_offset_hours=offset,
        ghi=columns["ghi"],
        dni=columns.get("dni", np.zeros(HOURS_PER_YEAR)),
        dhi=columns.get("dhi", np.zeros(HOURS_PER_YEAR)),
        temp_air=columns.get("temp_air", np.full(HOURS_PER_YEAR, 12.0)),
        wind_speed=columns.get("wind_speed", np.full(HOURS_PER_YEAR, 1.0)),
    )
    if "dni" not in columns:
        dni, dhi = decompose_ghi(weather)
        weather = replace(weather, dni=dni, dhi=dhi)
    return weather


def decompose_ghi(weather: WeatherYear) -> tuple[np.ndarray, np.ndarray]:
    """Split GHI into DNI and DHI [W/m^2] with the Erbs model (``pvlib.irradiance.erbs``).

    References
    ----------
    Erbs, D.G., Klein, S.A., Duffie, J.A. (1982): Estimation of the diffuse radiation
    fraction for hourly, daily and monthly-average global radiation. Solar Energy 28(4).
    """
    from pvlib.irradiance import erbs

    geometry = solar_geometry(weather)
    day_of_year = np.arange(HOURS_PER_YEAR) // 24 + 1
    split = erbs(weather.ghi, geometry["zenith"], day_of_year)
    return np.asarray(split["dni"], float), np.asarray(split["dhi"], float)
