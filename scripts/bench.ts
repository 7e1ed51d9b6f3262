/**
 * `npm run bench [-- <name>]`: runs scripts/bench-<name>.ts (default: build). Each benchmark compares our
 * code with the bare library doing the same work in the same run and prints the ratio.
 */
const name = process.argv[2] ?? "build";
const mod = (await import(`./bench-${name}.ts`).catch((error: unknown) => {
  console.error(
    `unknown benchmark "${name}" (${(error as Error).message}); try: build, send, serve, state, search, track, report, schedule`,
  );
  process.exit(1);
})) as { run(args: string[]): Promise<void> };
await mod.run(process.argv.slice(3));
