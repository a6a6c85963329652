# The guard matters: spawn and forkserver workers import the main module as __mp_main__, and
# they must neither run the CLI again nor pay for its imports.
if __name__ == "__main__":
    from bench.cli.launch import main

    main()
