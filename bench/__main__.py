# The guard matters: spawn and forkserver workers import the main module as __mp_main__, and
# they must neither run the CLI again nor pay for its imports.
if __name__ == "__main__":
    try:
        from bench.cli.launch import main
    except KeyboardInterrupt:  # before the harness's handlers are in: still one line
        import os
        import sys

        sys.stderr.write("bench: error: interrupted\n")
        sys.stderr.flush()
        os._exit(130)
    main()
