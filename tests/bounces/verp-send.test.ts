import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect } from "vitest";
import type { Diagnostic } from "../../src/diagnostics.js";
import { OutboxTransport, outboxFileName } from "../../src/send/transports/outbox.js";
import { header, sendTest as it, SECRET, type SendProject } from "../send/helpers.js";

// a newsletter whose unsubscribe is mailto only: nothing but the bounce tokens needs the secret
const MAILTO_ONLY = `name: Рассылка
from:
  name: Центр
  email: rassylka@prodazhi.example.ru
unsubscribe:
  mailto: unsubscribe@prodazhi.example.ru
returnPath: bounces@prodazhi.example.ru
`;

/** The hello issue to one reader through the outbox of the mailto-only newsletter, `env` its environment. */
async function send(project: SendProject, env: NodeJS.ProcessEnv) {
  await project.write("newsletter.yaml", MAILTO_ONLY);
  const warnings: Diagnostic[] = [];
  const dir = join(project.root, "outbox");
  await project.send("anna@example.ru", {
    transport: () => new OutboxTransport({ dir }),
    // the fixture's list has only a mailto unsubscribe: a private list, as --allow-no-one-click says
    allow: { noOneClick: true },
    env,
    onWarning: (d) => warnings.push(d),
  });
  return { warnings, raw: await readFile(join(dir, outboxFileName("anna@example.ru"))) };
}

describe("the bounce token at send time", () => {
  it("with RASSYLKA_SECRET: the reader's VERP Return-Path and X-Rassylka-Bounce", async ({ project }) => {
    const { warnings, raw } = await send(project, { RASSYLKA_SECRET: SECRET });
    expect(warnings).toEqual([]);
    const [token] = header(raw, "X-Rassylka-Bounce");
    expect(header(raw, "Return-Path")).toEqual([`<bounces+${token}@prodazhi.example.ru>`]);
  });

  it("without it: sent from returnPath as it is, with a warning that names the variable and the fix", async ({ project }) => {
    const { warnings, raw } = await send(project, {});
    expect(warnings).toEqual([
      expect.objectContaining({
        ruleId: "bounces/no-secret",
        severity: "warning",
        field: "returnPath",
        fix: expect.stringContaining("RASSYLKA_SECRET"),
      }),
    ]);
    expect(header(raw, "Return-Path")).toEqual(["<bounces@prodazhi.example.ru>"]);
    expect(header(raw, "X-Rassylka-Bounce")).toEqual([]);
  });
});
