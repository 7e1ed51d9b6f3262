import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RassylkaError } from "../../src/diagnostics.js";
import { stateLocation } from "../../src/state/location.js";

describe("stateLocation", () => {
  it("takes a postgres:// or postgresql:// --state as the database", () => {
    expect(stateLocation("/nl", "postgres://u:p@db/news")).toEqual({ kind: "postgres", url: "postgres://u:p@db/news" });
    expect(stateLocation("/nl", " postgresql://db/news ").kind).toBe("postgres");
  });

  it("takes any other --state as a SQLite file under the root", () => {
    expect(stateLocation("/nl", "state/ledger.sqlite")).toEqual({ kind: "sqlite", file: "/nl/state/ledger.sqlite" });
  });

  it("refuses a --state URL of another database instead of making a file named after it", async () => {
    const root = await mkdtemp(join(tmpdir(), "rassylka-location-"));
    for (const flag of ["mysql://root:hunter2@db/news", "sqlite:///tmp/x.sqlite"]) {
      let thrown: unknown;
      try {
        stateLocation(root, flag, {});
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(RassylkaError);
      const d = (thrown as RassylkaError).diagnostics[0];
      expect(d).toMatchObject({ ruleId: "state/bad-url", field: "--state" });
      // the scheme is named, the rest (a user name and a password) is not
      expect(d.message).toContain(flag.slice(0, flag.indexOf(":")));
      expect(d.message).not.toContain("hunter2");
      expect(d.fix).toContain("postgres://");
    }
    expect(existsSync(join(root, "mysql:"))).toBe(false);
  });

  it("refuses a RASSYLKA_DATABASE_URL that is not postgres://", () => {
    expect(() => stateLocation("/nl", undefined, { RASSYLKA_DATABASE_URL: "mysql://db/news" })).toThrow(RassylkaError);
  });
});
