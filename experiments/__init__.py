"""Running many simulations, storing, analysing, plotting and reporting; the command line."""
