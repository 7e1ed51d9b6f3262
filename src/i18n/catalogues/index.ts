import { ab } from "./ab.js";
import { address } from "./address.js";
import { bounces } from "./bounces.js";
import { build } from "./build.js";
import { clean } from "./clean.js";
import { cli } from "./cli.js";
import { common } from "./common.js";
import { config } from "./config.js";
import { deliverability } from "./deliverability.js";
import { emailWords } from "./email-words.js";
import { init } from "./init.js";
import { inputFiles } from "./input-files.js";
import { issueText } from "./issue-text.js";
import { lint } from "./lint.js";
import { newIssue } from "./new-issue.js";
import { notes } from "./notes.js";
import { pages } from "./pages.js";
import { pictures } from "./pictures.js";
import { placeholder } from "./placeholder.js";
import { polls } from "./polls.js";
import { preview } from "./preview.js";
import { report } from "./report.js";
import { resubscribe } from "./resubscribe.js";
import { review } from "./review.js";
import { schedule } from "./schedule.js";
import { screenshots } from "./screenshots.js";
import { search } from "./search.js";
import { send } from "./send.js";
import { sendAudience } from "./send-audience.js";
import { sendsay } from "./sendsay.js";
import { serve } from "./serve.js";
import { serveLimits } from "./serve-limits.js";
import { state } from "./state.js";
import { stateCopy } from "./state-copy.js";
import { subscribe } from "./subscribe.js";
import { subscribers } from "./subscribers.js";
import { suppress } from "./suppress.js";
import { templates } from "./templates.js";
import { topics } from "./topics.js";
import { tracking } from "./tracking.js";
import type { Catalogue } from "./types.js";

/**
 * Every catalogue by namespace (the part before `:` in a key). A feature adds its own file here, one
 * line each, so that features never edit each other's catalogues.
 */
export const CATALOGUES: Record<string, Catalogue> = {
  ab,
  address,
  bounces,
  build,
  clean,
  cli,
  common,
  config,
  "input-files": inputFiles,
  "issue-text": issueText,
  deliverability,
  "email-words": emailWords,
  init,
  lint,
  new: newIssue,
  notes,
  pictures,
  placeholder,
  polls,
  pages,
  preview,
  report,
  resubscribe,
  review,
  screenshots,
  send,
  "send-audience": sendAudience,
  sendsay,
  serve,
  "serve-limits": serveLimits,
  state,
  "state-copy": stateCopy,
  schedule,
  search,
  subscribe,
  subscribers,
  suppress,
  templates,
  topics,
  tracking,
};
