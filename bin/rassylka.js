#!/usr/bin/env node
// The compiled CLI lives in dist-lib/ (built by `npm ci` through the `prepare` script).
import { main } from "../dist-lib/cli/index.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
