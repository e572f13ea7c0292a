"""The interactive dashboard (``solara run server.py`` or ``community-sim app``).

The app is a Solara page (:func:`community_model.app.page.Page`) made of small modules:

- :mod:`~community_model.app.common`: the model as the app runs it (:class:`AppModel`, which
  never raises into the page) and the time helpers every view shares;
- :mod:`~community_model.app.controls`: the parameters' controls, grouped in collapsible
  sections, each value always shown, the long description as a tooltip;
- :mod:`~community_model.app.plots`: matplotlib figures redrawn cheaply after each step;
- :mod:`~community_model.app.panels`: the titled panels (community, prosumer, energy, prices,
  battery, shares, trades, chain, regulator, feeder);
- :mod:`~community_model.app.export`: the run's frames (CSV, Parquet), its parameters (TOML that
  ``community-sim run --config`` reproduces), the chain (JSON) and each figure (PNG);
- :mod:`~community_model.app.page`: the page, one model per browser session, the session cap.

:mod:`community_model.app.server` is the thin entry ``solara run`` loads (``community-sim app``
serves it through :mod:`~community_model.app.serve`, Solara's ``run`` with the websocket's
per-message compression off; the top-level ``server.py`` of a checkout re-exports it).
"""
