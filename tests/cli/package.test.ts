import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, tempDir } from "../helpers/newsletter.js";

/**
 * rassylka installed as a package, outside its repository: `npm pack`, then into an empty folder
 * `npm install --ignore-scripts` of the tarball (none of our scripts may be needed: the tarball ships the
 * bundled CLI), then what the README tells a new editor: `npx rassylka init my-newsletter && cd
 * my-newsletter && npx rassylka build`. Offline: the dependencies come from npm's cache (filled by the
 * `npm ci` that installed this repository), pinned by a lockfile made from ours, so no test touches the
 * network.
 */
const run = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

let tmp: string;
let remove: () => Promise<void>;
let tarball: string;
const env = {
  ...process.env,
  npm_config_cache: process.env.npm_config_cache || join(homedir(), ".npm"),
  npm_config_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  NO_COLOR: "1",
};

interface Lock {
  packages: Record<string, { version?: string; resolved?: string; dev?: boolean; link?: boolean }>;
}

/** The consumer's lockfile: the tarball, and our lockfile's runtime dependencies (dev ones left out). */
function consumerLock(lock: Lock, pkg: Record<string, unknown>, file: string): object {
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies: { rassylka: `file:${file}` } },
    "node_modules/rassylka": {
      version: pkg.version,
      resolved: `file:${file}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith("node_modules/") || entry.dev || entry.link) continue;
    const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
    // our lockfile may omit `resolved` (npm's omit-lockfile-registry-resolved): the cache finds a tarball by its integrity
    const resolved = entry.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split("/").pop()}-${entry.version}.tgz`;
    packages[path] = { ...entry, resolved };
  }
  return { name: "consumer", lockfileVersion: 3, requires: true, packages };
}

beforeAll(async () => {
  ({ dir: tmp, remove } = await tempDir("rsk-pack-"));
  // --ignore-scripts: prepack would bundle dist-cli again under the other tests' feet; it is fresh (global setup)
  const packed = await run(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: REPO, env });
  tarball = (JSON.parse(packed.stdout) as { filename: string }[])[0].filename;
}, 120_000);
afterAll(() => remove());

describe("the npm package", () => {
  it("ships the bundled CLI and the starter templates, not the sources or the tests; prepack bundles", async () => {
    const pkg = JSON.parse(await readFile(join(REPO, "package.json"), "utf8"));
    expect(pkg.scripts.prepack).toContain("scripts/bundle.mjs");
    const { stdout } = await run("tar", ["tzf", join(tmp, tarball)]);
    const files = stdout.split("\n");
    expect(files).toContain("package/bin/rassylka.js");
    expect(files).toContain("package/dist-cli/cli/index.js");
    expect(files).toContain("package/templates/layouts/default.mjml.hbs");
    expect(files.filter((f) => /^package\/(src|tests|scripts|issues|docs)\//.test(f))).toEqual([]);
  });

  it("installs into an empty folder with --ignore-scripts, offline, and init + build work there", async () => {
    const consumer = join(tmp, "consumer");
    await run("mkdir", [consumer]);
    const pkg = JSON.parse(await readFile(join(REPO, "package.json"), "utf8"));
    const lock = JSON.parse(await readFile(join(REPO, "package-lock.json"), "utf8")) as Lock;
    const file = `../${tarball}`;
    await writeFile(
      join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true, dependencies: { rassylka: `file:${file}` } }),
    );
    await writeFile(join(consumer, "package-lock.json"), JSON.stringify(consumerLock(lock, pkg, file)));
    await run(npm, ["install", "--offline", "--ignore-scripts"], { cwd: consumer, env, maxBuffer: 16 * 1024 * 1024 });
    expect(await readdir(join(consumer, "node_modules", ".bin"))).toContain("rassylka");

    const init = await run(npx, ["--offline", "rassylka", "init", "my-newsletter", "--language", "en"], { cwd: consumer, env });
    expect(init.stdout).toContain("my-newsletter");
    const newsletter = join(consumer, "my-newsletter");
    const manifest = JSON.parse(await readFile(join(newsletter, "package.json"), "utf8"));
    expect(Object.keys(manifest.scripts).sort()).toEqual(["build", "lint", "preview"]);
    expect(manifest.dependencies).toHaveProperty("rassylka");

    const built = await run(npx, ["--offline", "rassylka", "build"], { cwd: newsletter, env });
    expect(built.stdout).toMatch(/Built 1 issue/);
    const dist = await readdir(join(newsletter, "dist"));
    expect(dist.filter((f) => f.endsWith(".html") && f !== "index.html")).toHaveLength(1);
    // the newsletter's own script, as `npm run build` runs it
    const script = await run(npm, ["run", "build"], { cwd: newsletter, env });
    expect(script.stdout).toMatch(/Built 1 issue/);
  }, 300_000);
});
