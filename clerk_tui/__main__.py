from clerk_tui.cli import main

# Guarded: the batch's drawing processes are spawned, and a spawned process imports the main
# module again (as __mp_main__); it must not run the command a second time.
if __name__ == "__main__":
    raise SystemExit(main())
