/** Where a command writes: stdout and stderr, one line per call (tests pass their own). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const stdio: Io = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

/** An Io whose every line goes through `clean` first (src/util/redact.ts: secrets and passwords out). */
export function redactingIo(io: Io, clean: (text: string) => string): Io {
  return { out: (t) => io.out(clean(t)), err: (t) => io.err(clean(t)) };
}
