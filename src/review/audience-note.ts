import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type AudienceCount, countAudience } from "../audience/count.js";
import { AUDIENCES_DIR } from "../audience/file.js";
import { isRassylkaError } from "../diagnostics.js";
import type { StateLocation } from "../state/location.js";

/**
 * How many readers a changed issue or audience file reaches now (docs/audiences.md), for the review page:
 * the same count as `rassylka audience`, from the newsletter's state. No state (a review job without the
 * database, or a state file that does not exist yet): nothing is counted, and no state file is created.
 */
export interface AudienceReach {
  count?: AudienceCount;
  /** The audience does not load (a bad audience file, an unknown one): its first error. */
  error?: string;
}

/** A changed audience file: audiences/<name>.yaml, what the branch did to it, and its reach now. */
export interface AudienceFileReview {
  file: string;
  status: "new" | "changed" | "removed";
  reach?: AudienceReach;
}

export function canCount(state: StateLocation | undefined): state is StateLocation {
  return !!state && (state.kind === "postgres" || existsSync(state.file));
}

/** `ref`: an issue file or an audience's name, as `rassylka audience` takes it. */
export async function reachOf(state: StateLocation, root: string, ref: string): Promise<AudienceReach> {
  try {
    return { count: await countAudience(state, root, ref) };
  } catch (error) {
    if (!isRassylkaError(error)) throw error;
    const d = error.diagnostics[0];
    return { error: `${d?.file ? `${d.file}${d.line ? `:${d.line}` : ""}: ` : ""}${d?.message ?? String(error)}` };
  }
}

/** audiences/*.yaml the branch added, changed or removed (by bytes), with the reach of those still there. */
export async function changedAudienceFiles(
  headRoot: string,
  baseRoot: string | undefined,
  state: StateLocation | undefined,
): Promise<AudienceFileReview[]> {
  const files = async (root: string | undefined) =>
    root ? (await readdir(join(root, AUDIENCES_DIR)).catch(() => [] as string[])).filter((f) => f.endsWith(".yaml")) : [];
  const [head, base] = await Promise.all([files(headRoot), files(baseRoot)]);
  const out: AudienceFileReview[] = [];
  for (const name of [...new Set([...head, ...base])].sort()) {
    const file = `${AUDIENCES_DIR}/${name}`;
    const after = head.includes(name) ? await readFile(join(headRoot, file)) : undefined;
    const before = baseRoot && base.includes(name) ? await readFile(join(baseRoot, file)) : undefined;
    if (after && before && after.equals(before)) continue;
    const status = !before ? "new" : !after ? "removed" : "changed";
    const entry: AudienceFileReview = { file, status };
    if (after && canCount(state)) entry.reach = await reachOf(state, headRoot, name.slice(0, -5));
    out.push(entry);
  }
  return out;
}
