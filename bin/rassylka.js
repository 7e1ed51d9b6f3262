#!/usr/bin/env node
// The CLI, bundled by esbuild into dist-cli/ (scripts/bundle.mjs, run by `npm ci` through `prepare`).
import { main } from "../dist-cli/cli/index.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
