import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { csvFile } from "../../../../src/send/audience.js";
import { sendIssue as runSend } from "../../../../src/send/send-issue.js";
import { SendsayTransport } from "../../../../src/send/transports/sendsay/transport.js";
import { SendsayApiError, SendsayClient } from "../../../../src/sendsay/client.js";
import { type FakeSendsay, startFakeSendsay } from "../../../sendsay/fake-server.js";
import { KEY, LOGIN, makeProject, PERSONAL_FILE, SECRET } from "./helpers.js";

let project: Awaited<ReturnType<typeof makeProject>>;
let server: FakeSendsay | undefined;
let n = 0;
beforeAll(async () => {
  project = await makeProject();
});
afterAll(async () => {
  await project.cleanup();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const stateFile = () => join(project.root, `.rassylka/personal-${++n}.sqlite`);
const transport = (s: FakeSendsay, key = KEY) =>
  new SendsayTransport(new SendsayClient({ login: LOGIN, apiKey: key, baseUrl: s.url, maxAttempts: 1 }));

async function csv(name: string, rows: string[]): Promise<string> {
  const path = join(project.root, name);
  await writeFile(path, `email,name,city\n${rows.join("\n")}\n`);
  return path;
}

describe("sendsay personal letters through the engine", () => {
  it("sends one issue.send with group personal and email per reader, fields filled by us", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const list = await csv("two.csv", ["anna@example.ru,Анна,Краснодар", "boris@example.ru,Борис,Сочи"]);
    const summary = await runSend({
      root: project.root,
      issue: PERSONAL_FILE,
      stateFile: stateFile(),
      audience: csvFile(list),
      transport: transport(server),
      concurrency: 1,
      env: { RASSYLKA_SECRET: SECRET },
    });
    expect(summary).toMatchObject({ sent: 2, failed: 0, pending: 0 });
    expect(summary.transport).toBe(`sendsay://${LOGIN} (personal letters at ${server.url})`);
    const sends = server.handled("issue.send");
    expect(sends.map((r) => r.body?.email)).toEqual(["anna@example.ru", "boris@example.ru"]);
    for (const r of sends) {
      expect(r.headers.authorization).toBe(`sendsay apikey=${KEY}`);
      expect(r.path).toBe(`/general/api/v100/json/${LOGIN}`);
    }
    const body = JSON.parse(sends[0].raw);
    expect(Object.keys(body)).toEqual(["action", "letter", "group", "email", "sendwhen"]);
    expect(body).toMatchObject({ action: "issue.send", group: "personal", email: "anna@example.ru", sendwhen: "now" });
    expect(Object.keys(body.letter)).toEqual(["subject", "from.name", "from.email", "reply.email", "message"]);
    expect(body.letter).toMatchObject({
      subject: "Личная тема",
      "from.name": "Тренинговый центр «Практика продаж»",
      "from.email": "rassylka@prodazhi.example.ru",
      "reply.email": "avtor@prodazhi.example.ru",
    });
    expect(Object.keys(body.letter.message)).toEqual(["html", "text"]);
    expect(body.letter.message.html).toContain("Анна, добрый день!");
    expect(body.letter.message.html).toContain("Краснодар");
    expect(body.letter.message.text).toContain("Анна, добрый день!");
    // the reader's own unsubscribe link, signed by us
    expect(body.letter.message.html).toMatch(/unsubscribe\?token(=|&#x3D;)[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}/);
    expect(JSON.parse(sends[1].raw).letter.message.html).toContain("Борис, добрый день!");
  });

  it("records a refused address as failed and retries a 503", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, badEmails: ["gone@example.ru"] });
    server.addFault({ action: "issue.send", status: 503 });
    const list = await csv("three.csv", ["anna@example.ru,Анна,", "gone@example.ru,,", "boris@example.ru,Борис,"]);
    const summary = await runSend({
      root: project.root,
      issue: PERSONAL_FILE,
      stateFile: stateFile(),
      audience: csvFile(list),
      transport: transport(server),
      concurrency: 1,
      retryDelay: 1,
      env: { RASSYLKA_SECRET: SECRET },
    });
    expect(summary).toMatchObject({ sent: 2, failed: 1, pending: 0 });
    expect(summary.failures).toEqual([
      expect.objectContaining({ email: "gone@example.ru", message: expect.stringContaining("error/member/unsubscribed") }),
    ]);
    // the 503 was answered once, then that reader went through on the engine's retry
    const sent = server.handled("issue.send").map((r) => r.body?.email);
    expect(sent.sort()).toEqual(["anna@example.ru", "boris@example.ru", "gone@example.ru"]);
  });

  it("checks the key before the first letter: a wrong key sends nothing", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const list = await csv("one.csv", ["anna@example.ru,Анна,"]);
    const t = transport(server, "wrong-key-123456");
    const error = await runSend({
      root: project.root,
      issue: PERSONAL_FILE,
      stateFile: stateFile(),
      audience: csvFile(list),
      transport: async () => {
        await t.open();
        return t;
      },
      env: { RASSYLKA_SECRET: SECRET },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendsayApiError);
    expect((error as Error).message).toMatch(/error\/auth\/failed.*\n\s+fix: check SENDSAY_APIKEY/);
    expect((error as Error).message).not.toContain("wrong-key-123456");
    expect(server.requests.filter((r) => r.body?.action === "issue.send")).toHaveLength(0);
  });
});
