"""Where PV, load and prices come from.

- :mod:`.base`: :class:`~.base.HourProfile` and the :class:`~.base.ProfileSource` interface;
- :mod:`.factory`: :func:`~.factory.make_profile_source`, the one way the model gets a source;
- :mod:`.synthetic`: the synthetic half-sine PV, load and price shapes;
- :mod:`.real`: the ``standard`` and ``files`` sources (weather-driven PV, BDEW load, files);
- :mod:`.weather` (offline weather years), :mod:`.pv` (pvlib PV model), :mod:`.standard_load`
  (BDEW profiles with demandlib), :mod:`.files` (a user's CSV/Parquet), :mod:`.tariffs`
  (time-of-use and file prices), :mod:`.calendar` (time zone, DST, holidays).

Nothing is imported here: pvlib and demandlib load only when a source needs them.
"""
