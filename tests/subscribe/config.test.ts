import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/config/load.js";

const BASE = `name: Рассылка
url: https://example.ru/r
from:
  name: Автор
  email: a@example.ru
`;

describe("subscribe: in newsletter.yaml", () => {
  test("consent is required; limits get their defaults", () => {
    const ok = parseConfig(`${BASE}subscribe:\n  consent: Я согласен.\n  welcome: 2026-11-10-privet\n`);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.config?.subscribe).toEqual({
      consent: "Я согласен.",
      welcome: "2026-11-10-privet",
      limits: { minFillSeconds: 3, perAddressPerHour: 1, perAddressPerDay: 3, perIpPerHour: 10, perIpPerDay: 50, emailsPerHour: 200 },
    });
    const missing = parseConfig(`${BASE}subscribe:\n  welcome: x\n`);
    expect(missing.config).toBeUndefined();
    expect(missing.diagnostics.map((d) => `${d.line}: ${d.message}`).join("\n")).toMatch(/consent/);
  });

  test("a fill time over 3 s, an unknown limit and a welcome that is not a slug are errors naming the field and line", () => {
    const r = parseConfig(
      `${BASE}subscribe:\n  consent: Да\n  welcome: "Не слаг"\n  limits:\n    minFillSeconds: 10\n    perIpPerHuor: 5\n`,
    );
    expect(r.config).toBeUndefined();
    const text = r.diagnostics.map((d) => `${d.line}: ${d.field ?? ""} ${d.message}`).join("\n");
    expect(text).toMatch(/8: subscribe\.welcome/);
    expect(text).toMatch(/10: subscribe\.limits\.minFillSeconds/);
    expect(text).toMatch(/perIpPerHuor[\s\S]*perIpPerHour|perIpPerHour[\s\S]*perIpPerHuor/);
  });
});
