#!/usr/bin/env node
// The CLI, bundled by esbuild into dist-cli/ (scripts/bundle.mjs: run by `npm ci` through `prepare` in a checkout,
// and by `prepack`, so the package ships it built and installing it runs no script of ours).
import { setFlagsFromString } from "node:v8";

// a send runs for hours over a list of any length holding a few readers at a time, but V8 left to
// itself lets their dead ledger rows and messages pile up in the old generation (a dry run to 250,000
// readers peaked at 210 MB RSS, 1,000,000 at 290 MB). optimize-for-size keeps the heap near what is alive
// (133 MB at 250,000, flat with the list) for a few percent of time. Set before any module is loaded.
if (process.argv.slice(2).find((a) => !a.startsWith("-")) === "send") setFlagsFromString("--optimize-for-size");

const { main } = await import("../dist-cli/cli/index.js");
main(process.argv).then((code) => {
  process.exitCode = code;
});
