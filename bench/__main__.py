# The guard matters: spawn and forkserver workers import the main module as __mp_main__, and
# they must neither run the CLI again nor pay for its imports.
if __name__ == "__main__":
    # Held, not raised, until the harness's handlers are in (bench.cli.launch lifts the block):
    # a KeyboardInterrupt raised inside an import can land in importlib's own callbacks, where
    # Python prints it as "Exception ignored" with a traceback and carries on importing. The
    # built-in _signal, already loaded by the interpreter: `signal` imports enum first (1-2 ms
    # in which an interrupt would still be raised).
    import _signal  # type: ignore[import-not-found]  # no stubs: signal's C half

    _signal.pthread_sigmask(_signal.SIG_BLOCK, {_signal.SIGINT, _signal.SIGTERM})
    from bench.cli.launch import main

    main()
