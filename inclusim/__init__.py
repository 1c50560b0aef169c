"""inclusim from Python: run a scenario, compare scenarios, sweep a design, read results.

>>> import inclusim
>>> sim = inclusim.Sim("lac/baseline", households=2_000, seed=1).run()
>>> sim.to_df().head()  # doctest: +SKIP

Everything given here is validated exactly as the YAML files are, with the same messages
(:class:`inclusim.InputError`). See docs/python.md.
"""

from inclusim.results import ExperimentResults, compare, load_results, sweep
from inclusim.sim import Sim
from model.errors import InputError

__all__ = ["ExperimentResults", "InputError", "Sim", "compare", "load_results", "sweep"]
