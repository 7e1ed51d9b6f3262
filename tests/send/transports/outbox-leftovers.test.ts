import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboxTransport } from "../../../src/send/transports/outbox.js";
import { killedWriter } from "../../helpers/killed-writer.js";
import { tempDir } from "../../helpers/newsletter.js";

/** Regression: a send killed mid-write left `*.tmp` files in outbox/<slug>/ for ever. */
describe("the outbox removes a killed send's temp files (regression)", () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, remove } = await tempDir("rsk-outbox-"));
  });
  afterAll(() => remove());

  it("the next send's first message sweeps them; the message is written", async () => {
    const slug = join(dir, "outbox", "2026-06-01-good");
    await killedWriter([join(slug, "anna@rassylka-test.ru.eml"), join(slug, "boris@rassylka-test.ru.eml")]);
    expect((await readdir(slug)).filter((f) => f.endsWith(".tmp"))).toHaveLength(2);
    const transport = new OutboxTransport({ dir: slug });
    const result = await transport.send({
      to: "anna@rassylka-test.ru",
      subscriber: { email: "anna@rassylka-test.ru" },
      from: { name: "Редакция", email: "news@rassylka-test.ru" },
      subject: "Тест",
      html: "<p>Привет</p>",
      text: "Привет",
      messageId: "test@rassylka-test.ru",
      headers: {},
      date: new Date("2026-06-01T09:00:00Z"),
    });
    await transport.close();
    expect(result.status).toBe("sent");
    expect(await readdir(slug)).toEqual(["anna@rassylka-test.ru.eml"]);
  });
});
