"""Many runs at once: parameter sweeps (:mod:`.sweeps`, their spec files :mod:`.sweep_spec`),
the regulator-objective comparison (:mod:`.objectives`) and the with/without P2P and battery
economics (:mod:`.economics`)."""
