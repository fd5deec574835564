"""Pure judgement: parse what came back and say what is wrong with it (no I/O, no pytest)."""
