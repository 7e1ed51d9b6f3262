import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { bounceToken, splitToken, tokenOfHeader, tokensInText, verpAddress } from "../../src/identity/verp.js";
import { bounceAddress, messageContext } from "../../src/message/message.js";

const SECRET = "verp-tests-secret-0123456789abcdef";
const CONFIG = `name: Рассылка
from: { name: Центр, email: rassylka@prodazhi.example.ru }
returnPath: bounces@prodazhi.example.ru
`;

describe("VERP tokens", () => {
  it("are 24 lower-case hex characters, per issue and reader, and need the secret", () => {
    const t = bounceToken(SECRET, "list", "2026-12-01-a", "Anna@Example.org");
    expect(t).toMatch(/^[0-9a-f]{24}$/);
    expect(bounceToken(SECRET, "list", "2026-12-01-a", "anna@example.org")).toBe(t);
    expect(bounceToken(SECRET, "list", "2026-12-08-b", "anna@example.org")).not.toBe(t);
    expect(splitToken(bounceToken(SECRET, "list", "2026-12-01-a", "boris@example.org")).issue).toBe(splitToken(t).issue);
    expect(bounceToken(`${SECRET}x`, "list", "2026-12-01-a", "anna@example.org")).not.toBe(t);
  });

  it("are found in addresses and headers whatever the case an MTA gave them", () => {
    const t = bounceToken(SECRET, "list", "i", "a@b.ru");
    const address = verpAddress("bounces@prodazhi.example.ru", t);
    expect(address).toBe(`bounces+${t}@prodazhi.example.ru`);
    expect(address.length - "@prodazhi.example.ru".length).toBeLessThanOrEqual(64);
    expect(tokensInText(`Delivered-To: ${address.toUpperCase()}\nTo: <${address}>`)).toEqual([t]);
    expect(tokenOfHeader(` ${t.toUpperCase()} `)).toBe(t);
    expect(tokenOfHeader("not-a-token")).toBeUndefined();
  });

  it("make the envelope sender with returnPath and the secret; bounces.verp: false or no secret keeps returnPath", () => {
    const { config } = parseConfig(CONFIG);
    expect(config?.bounces).toEqual({ verp: true, softLimit: 3 });
    const ctx = messageContext(config!, "2026-12-01-a", "Тема", SECRET);
    expect(bounceAddress(ctx, "anna@example.org")).toEqual({
      returnPath: `bounces+${bounceToken(SECRET, ctx.listId, "2026-12-01-a", "anna@example.org")}@prodazhi.example.ru`,
      token: bounceToken(SECRET, ctx.listId, "2026-12-01-a", "anna@example.org"),
    });
    expect(bounceAddress(messageContext(config!, "2026-12-01-a", "Тема"), "anna@example.org")).toEqual({
      returnPath: "bounces@prodazhi.example.ru",
    });
    const off = parseConfig(`${CONFIG}bounces: { verp: false, softLimit: 2 }\n`).config!;
    expect(off.bounces).toEqual({ verp: false, softLimit: 2 });
    expect(bounceAddress(messageContext(off, "s", "Тема", SECRET), "anna@example.org")).toEqual({
      returnPath: "bounces@prodazhi.example.ru",
    });
    const bad = parseConfig(`${CONFIG}bounces: { softLimt: 2 }\n`);
    expect(bad.diagnostics[0]?.message).toMatch(/softLimt/);
  });
});
