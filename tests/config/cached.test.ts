import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfigCached } from "../../src/config/cached.js";
import { loadConfig } from "../../src/config/load.js";
import { isRassylkaError } from "../../src/diagnostics.js";
import { tempDir } from "../helpers/newsletter.js";

const YAML = "name: N\nfrom:\n  name: A\n  email: a@example.org\nevents:\n  - date: 2026-06-24\n    title: Тренинг\n";
const ENTRIES = join(".rassylka", "cache", "config");

describe("newsletter.yaml through the build cache", () => {
  let root: string;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ dir: root, remove } = await tempDir());
    await writeFile(join(root, "newsletter.yaml"), YAML);
  });
  afterEach(() => remove());

  it("the first read keeps the config; the next gives the same config from the entry", async () => {
    const first = await loadConfigCached(root);
    expect(first).toEqual(await loadConfig(root));
    const entries = await readdir(join(root, ENTRIES));
    expect(entries).toHaveLength(1);
    // what the next read returns is the entry's: changed by hand, it shows
    const entry = join(root, ENTRIES, entries[0]);
    await writeFile(entry, JSON.stringify({ ...first.config, name: "из записи" }));
    const second = await loadConfigCached(root);
    expect(second.config.name).toBe("из записи");
    expect(second.source).toBe(YAML);
  });

  it("an edited newsletter.yaml is read again, and a broken one still fails with its diagnostics", async () => {
    await loadConfigCached(root);
    await writeFile(join(root, "newsletter.yaml"), YAML.replace("name: N", "name: Другая"));
    expect((await loadConfigCached(root)).config.name).toBe("Другая");
    await writeFile(join(root, "newsletter.yaml"), YAML.replace("email: a@example.org", "email: нет"));
    const error = await loadConfigCached(root).catch((e: unknown) => e);
    expect(isRassylkaError(error) && error.diagnostics[0].field).toBe("from.email");
    expect(await readdir(join(root, ENTRIES))).toHaveLength(2);
  });

  it("a cut-short entry is a miss, not an error", async () => {
    await loadConfigCached(root);
    const [name] = await readdir(join(root, ENTRIES));
    await writeFile(join(root, ENTRIES, name), '{"name": "N", "fr');
    expect(await loadConfigCached(root)).toEqual(await loadConfig(root));
    expect(JSON.parse(await readFile(join(root, ENTRIES, name), "utf8"))).toEqual((await loadConfig(root)).config);
  });

  it("a missing newsletter.yaml is loadConfig's error", async () => {
    await rm(join(root, "newsletter.yaml"));
    const error = await loadConfigCached(root).catch((e: unknown) => e);
    expect(isRassylkaError(error) && error.diagnostics[0].ruleId).toBe("config/missing");
  });
});
