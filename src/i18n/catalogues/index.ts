import { common } from "./common.js";
import { serveLimits } from "./serve-limits.js";
import { stateCopy } from "./state-copy.js";
import type { Catalogue } from "./types.js";

/**
 * Every catalogue by namespace (the part before `:` in a key). A feature adds its own file here, one
 * line each, so that features never edit each other's catalogues.
 */
export const CATALOGUES: Record<string, Catalogue> = {
  common,
  "serve-limits": serveLimits,
  "state-copy": stateCopy,
};
