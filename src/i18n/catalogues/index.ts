import { build } from "./build.js";
import { clean } from "./clean.js";
import { cli } from "./cli.js";
import { common } from "./common.js";
import { deliverability } from "./deliverability.js";
import { emailWords } from "./email-words.js";
import { init } from "./init.js";
import { inputFiles } from "./input-files.js";
import { lint } from "./lint.js";
import { pages } from "./pages.js";
import { pictures } from "./pictures.js";
import { placeholder } from "./placeholder.js";
import { preview } from "./preview.js";
import { resubscribe } from "./resubscribe.js";
import { review } from "./review.js";
import { schedule } from "./schedule.js";
import { search } from "./search.js";
import { send } from "./send.js";
import { serveLimits } from "./serve-limits.js";
import { stateCopy } from "./state-copy.js";
import { subscribe } from "./subscribe.js";
import { templates } from "./templates.js";
import type { Catalogue } from "./types.js";

/**
 * Every catalogue by namespace (the part before `:` in a key). A feature adds its own file here, one
 * line each, so that features never edit each other's catalogues.
 */
export const CATALOGUES: Record<string, Catalogue> = {
  build,
  clean,
  cli,
  common,
  "input-files": inputFiles,
  deliverability,
  "email-words": emailWords,
  init,
  lint,
  pictures,
  placeholder,
  pages,
  preview,
  resubscribe,
  review,
  send,
  "serve-limits": serveLimits,
  "state-copy": stateCopy,
  schedule,
  search,
  subscribe,
  templates,
};
