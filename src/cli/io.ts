/** Where a command writes: stdout and stderr, one line per call (tests pass their own). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const stdio: Io = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

/** The same Io with `clean` applied to every line (src/util/redact.ts: no secret is printed). */
export function redactingIo(io: Io, clean: (text: string) => string): Io {
  return { out: (t) => io.out(clean(t)), err: (t) => io.err(clean(t)) };
}
