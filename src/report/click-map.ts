import { cachedShot, type IssueShot, keepShot, takeShot } from "../screenshots/shot.js";
import type { LinkFigures } from "../state/report.js";

export type { IssueShot };

/**
 * The click map: the issue's web version at 600 px, as `rassylka screenshots` takes it (no network: the
 * document is served from memory and every other request refused), with each link's box and its share
 * of the readers who clicked. A link is found by its address; an address the issue has twice gets the
 * same share on both.
 */
export interface ClickMap {
  width: number;
  height: number;
  /** The screenshot, a JPEG as a data: URL (the page stays one file). */
  image: string;
  boxes: { x: number; y: number; width: number; height: number; url: string; share: number; label: string }[];
}

/**
 * The shot of the issue's web version, from the project's cache (`cacheDir`, under a hash of its HTML: a
 * report run again, every morning after a send say, or one after `rassylka screenshots`, starts no browser
 * while the issue is unchanged), else taken and kept there.
 */
export async function issueShot(slug: string, html: string, cacheDir: string, env?: NodeJS.ProcessEnv): Promise<IssueShot> {
  const cached = await cachedShot(cacheDir, html);
  if (cached) return cached;
  const shot = await takeShot(slug, html, env);
  await keepShot(cacheDir, html, shot);
  return shot;
}

/** Each clicked link's share of the readers who clicked, drawn over its boxes in the shot. */
export function clickMap(shot: IssueShot, links: readonly LinkFigures[], percent: (share: number) => string): ClickMap {
  const readers = links.reduce((sum, l) => sum + l.unique, 0);
  const byUrl = new Map(links.map((l) => [l.url, readers ? l.unique / readers : 0]));
  const boxes = shot.anchors
    .filter((a) => a.width > 0 && a.height > 0 && byUrl.has(a.href))
    .map((a) => {
      const share = byUrl.get(a.href) ?? 0;
      return { x: a.x, y: a.y, width: a.width, height: a.height, url: a.href, share, label: percent(share) };
    });
  return { width: shot.width, height: shot.height, image: shot.image, boxes };
}
