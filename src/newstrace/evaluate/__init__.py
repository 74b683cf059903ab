"""The evaluation harness: ``newstrace eval`` scores the tool on outside, coded data.

Each dataset layout has an adapter that reads gold items (:mod:`.datasets`), the systems
that predict them (newstrace itself through ``analyze_text``, and simple baselines), and
one scorer per kind of finding. Every figure comes with its count and a bootstrap
confidence interval, so a developer can tell a real gain from noise.
"""
