import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics.js";
import { addressList } from "../../src/send/audience.js";
import { sendIssue } from "../../src/send/send-issue.js";
import { OutboxTransport, outboxFileName } from "../../src/send/transports/outbox.js";
import { header, ISSUE, makeProject, SECRET } from "../send/helpers.js";

// a newsletter whose unsubscribe is mailto only: nothing but the bounce tokens needs the secret
const MAILTO_ONLY = `name: Рассылка
from:
  name: Центр
  email: rassylka@prodazhi.example.ru
unsubscribe:
  mailto: unsubscribe@prodazhi.example.ru
returnPath: bounces@prodazhi.example.ru
`;

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await makeProject(MAILTO_ONLY));
});
afterEach(async () => cleanup());

async function send(env: NodeJS.ProcessEnv) {
  const warnings: Diagnostic[] = [];
  const dir = join(root, "outbox");
  await sendIssue({
    root,
    issue: ISSUE,
    stateFile: join(root, "state.sqlite"),
    audience: addressList("anna@example.ru"),
    transport: () => new OutboxTransport({ dir }),
    // the fixture's list has only a mailto unsubscribe: a private list, as --allow-no-one-click says
    allow: { noOneClick: true },
    env,
    onWarning: (d) => warnings.push(d),
  });
  return { warnings, raw: await readFile(join(dir, outboxFileName("anna@example.ru"))) };
}

describe("the bounce token at send time", () => {
  it("with RASSYLKA_SECRET: the reader's VERP Return-Path and X-Rassylka-Bounce", async () => {
    const { warnings, raw } = await send({ RASSYLKA_SECRET: SECRET });
    expect(warnings).toEqual([]);
    const [token] = header(raw, "X-Rassylka-Bounce");
    expect(header(raw, "Return-Path")).toEqual([`<bounces+${token}@prodazhi.example.ru>`]);
  });

  it("without it: sent from returnPath as it is, with a warning that names the variable and the fix", async () => {
    const { warnings, raw } = await send({});
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
