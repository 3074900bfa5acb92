"""Reproducible performance measurements, each beside its floor (the bare SQL doing the same work).

    make bench                          # python -m adv.embedded exec -- python -m benchmarks
    BENCH_SCALE=0.05 make bench         # a quick run (100 consultants instead of 2,000)

See benchmarks/README.md for what is measured, how, and the numbers.
"""
