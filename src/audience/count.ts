import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { RassylkaError } from "../diagnostics.js";
import { parseIssue } from "../issue/load.js";
import type { ScheduleAudience } from "../issue/schema.js";
import { loadProject, resolveIssueFile } from "../project/project.js";
import type { StateLocation } from "../state/location.js";
import { openStore, type Store } from "../state/store.js";
import { audienceNames, loadAudience } from "./file.js";
import { readerTopics, type Selection, selectionFingerprint, selects } from "./filter.js";

/**
 * `rassylka audience [<name>|<issue>]` (docs/audiences.md): how many readers a send to the subscribers
 * would reach now — the whole list, an audience file, or an issue (its `topic:` and `audience:`) — per
 * topic, and how that changed since the last send to the same audience (its readers as the ledger froze
 * them when that send started).
 */
export interface AudienceCount {
  /** What was counted: `subscribers`, the audience file's name, or the issue's fingerprint (`audience:x+topic:y`). */
  audience: string;
  /** The confirmed, not suppressed subscribers it selects now. */
  readers: number;
  /** Of those, how many have each topic of newsletter.yaml. */
  byTopic: Record<string, number>;
  /** Since the last send to it: that send's readers and the difference; null when it was never sent. */
  change: { issue: string; at: string; readers: number; by: number } | null;
}

/** What `ref` names: nothing (the list), an audience file, or an issue. */
async function selectionOf(root: string, ref: string | undefined): Promise<{ selection: Selection; name: string }> {
  const project = await loadProject(root);
  const config = project.config.config;
  const topics = config.topics.map((x) => x.id);
  if (!ref) return { selection: {}, name: "subscribers" };
  if ((await audienceNames(project.root)).includes(ref)) {
    const selection = { audience: await loadFilter(project.root, ref, topics) };
    return { selection, name: ref };
  }
  const file = await resolveIssueFile(project.root, ref);
  const { issue, diagnostics } = parseIssue(await readFile(file, "utf8"), relative(project.root, file), config);
  if (!issue) throw new RassylkaError(diagnostics);
  const selection = await issueSelection(project.root, issue, topics);
  return { selection, name: selectionFingerprint(selection) };
}

async function loadFilter(root: string, name: string, topics: string[]) {
  const loaded = await loadAudience(root, name, topics);
  if (!loaded.filter) throw new RassylkaError(loaded.diagnostics);
  return loaded.filter;
}

/**
 * The readers an issue's send to the subscribers selects, as the send narrows them (src/send/subscribers.ts):
 * its `topic:` and the audience file its front-matter names (read from `root`'s audiences/). Throws a
 * RassylkaError when the file does not load.
 */
export async function issueSelection(
  root: string,
  issue: { topic?: string; audience?: ScheduleAudience },
  topics: string[],
): Promise<Selection> {
  const named = typeof issue.audience === "string" && issue.audience !== "subscribers" ? issue.audience : undefined;
  return { ...(issue.topic ? { topic: issue.topic } : {}), ...(named ? { audience: await loadFilter(root, named, topics) } : {}) };
}

/** The confirmed, not suppressed subscribers `selection` selects now, and of those how many have each topic. */
export async function countSelection(
  store: Pick<Store, "subscribers">,
  selection: Selection,
  topics: readonly { id: string; default: boolean }[],
): Promise<{ readers: number; byTopic: Record<string, number> }> {
  const defaults = topics.filter((x) => x.default).map((x) => x.id);
  const byTopic: Record<string, number> = Object.fromEntries(topics.map((x) => [x.id, 0]));
  let readers = 0;
  let after = "";
  for (;;) {
    const page = await store.subscribers.confirmedPage(after, 1000);
    for (const s of page) {
      const reader = { topics: readerTopics(s.topics, defaults), fields: s.fields };
      if (!selects(selection, reader)) continue;
      readers++;
      for (const x of reader.topics) if (x in byTopic) byTopic[x]++;
    }
    if (page.length < 1000) break;
    after = page[page.length - 1].email;
  }
  return { readers, byTopic };
}

export async function countAudience(location: StateLocation, root: string, ref: string | undefined): Promise<AudienceCount> {
  const { selection, name } = await selectionOf(root, ref);
  const config = (await loadProject(root)).config.config;
  const store = await openStore(location);
  try {
    const { readers, byTopic } = await countSelection(store, selection, config.topics);
    // an audience file is sent alone or with an issue's topic: its last send is any of those
    const last = await store.audiences.lastSend(selectionFingerprint(selection), !!ref && !selection.topic && !!selection.audience);
    const change = last
      ? { issue: last.issue, at: last.startedAt, readers: Number(last.readers), by: readers - Number(last.readers) }
      : null;
    return { audience: name, readers, byTopic, change };
  } finally {
    await store.close();
  }
}
