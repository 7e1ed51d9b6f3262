import { build } from "./build.js";
import { cli } from "./cli.js";
import { common } from "./common.js";
import { inputFiles } from "./input-files.js";
import { lint } from "./lint.js";
import { search } from "./search.js";
import { serveLimits } from "./serve-limits.js";
import { stateCopy } from "./state-copy.js";
import { templates } from "./templates.js";
import type { Catalogue } from "./types.js";

/**
 * Every catalogue by namespace (the part before `:` in a key). A feature adds its own file here, one
 * line each, so that features never edit each other's catalogues.
 */
export const CATALOGUES: Record<string, Catalogue> = {
  build,
  cli,
  common,
  "input-files": inputFiles,
  lint,
  "serve-limits": serveLimits,
  "state-copy": stateCopy,
  search,
  templates,
};
