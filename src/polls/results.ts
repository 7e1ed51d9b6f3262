import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { parseIssue } from "../issue/load.js";
import { loadProject, resolveIssueFile } from "../project/project.js";
import { isClosed, pollClosesAt } from "../render/polls.js";
import type { StateLocation } from "../state/location.js";
import type { PollStore } from "../state/polls.js";
import { openStore } from "../state/store.js";

/**
 * `rassylka poll results [<issue>]` (docs/polls.md): every poll the state knows (kept as its issue's send
 * started), or one issue's, with the votes per answer and the readers who voted. A closed poll's figures
 * are those of its last day.
 */
export interface PollResult {
  poll: string;
  issue: string;
  question: string;
  answers: { text: string; votes: number }[];
  voters: number;
  /** YYYY-MM-DD when the poll has a closing day. */
  closes?: string;
  closed: boolean;
}

/** A slug the state has polls of, or an issue file / slug resolved to its slug. */
async function slugOf(root: string, ref: string, polls: PollStore): Promise<string> {
  if ((await polls.polls(ref)).length) return ref;
  try {
    const project = await loadProject(root);
    const file = await resolveIssueFile(project.root, ref);
    const { issue } = parseIssue(await readFile(file, "utf8"), relative(project.root, file), project.config.config);
    return issue?.slug ?? ref;
  } catch {
    // not an issue of this folder: a slug the state simply has no polls of
    return ref;
  }
}

/** The polls of one issue (or of all) with their figures, from an open store (`report` shows an issue's too). */
export async function pollFigures(polls: PollStore, issue?: string): Promise<PollResult[]> {
  const out: PollResult[] = [];
  for (const p of await polls.polls(issue)) {
    const counts = await polls.counts(p, pollClosesAt(p));
    out.push({
      poll: p.poll,
      issue: p.issue,
      question: p.question,
      answers: p.answers.map((text, i) => ({ text, votes: counts.votes[i] })),
      voters: counts.voters,
      ...(p.closes ? { closes: p.closes } : {}),
      closed: isClosed(p),
    });
  }
  return out;
}

export async function pollResults(location: StateLocation, root: string, ref?: string): Promise<PollResult[]> {
  const store = await openStore(location);
  try {
    return await pollFigures(store.polls, ref === undefined ? undefined : await slugOf(root, ref, store.polls));
  } finally {
    await store.close();
  }
}
