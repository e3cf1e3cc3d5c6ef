"""Benchmarks: `make bench` (python -m bench). Compares the emulator to the floor of its
stack, a bare Starlette route on the same uvicorn settings, in the same run."""
