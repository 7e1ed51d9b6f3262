import { describe, expect, it } from "vitest";
import { clickToken, openToken, readerKey, readerKeyer, verifyClickToken } from "../../src/identity/click-token.js";

const ID = "kak-uvelichit-obyomy-prodazh.prodazhi.example.ru";
const SECRET = "click-token-tests-secret-0123456789";
const CLAIM = { slug: "2026-12-01-hello", link: 2, reader: readerKey(ID, "Anna@Example.ru"), sent: 1796119200, trial: false };

describe("tracking tokens", () => {
  it("round-trip: what the token claims, the reader only as a key", () => {
    const token = clickToken(CLAIM, ID, SECRET);
    expect(verifyClickToken(token, ID, SECRET)).toEqual(CLAIM);
    expect(token).not.toContain("anna");
    expect(readerKey(ID, "anna@example.ru")).toBe(CLAIM.reader);
  });

  it.each([
    ["a short id", ID],
    ["an id of other than ASCII letters", "рассылка.пример.рф"],
    ["an id longer than the hash's block", `${"long-newsletter-name.".repeat(4)}example.ru`],
  ])("many readers' keys at once are readerKey's, with %s", (_name, id) => {
    const key = readerKeyer(id);
    for (const email of ["anna@example.ru", "Anna@Example.RU", " boris@почта.рф ", "no-at-sign", "вера@mail.ru"])
      expect(key(email)).toBe(readerKey(id, email));
  });

  it("a trial's token says so, under the MAC", () => {
    const token = clickToken({ ...CLAIM, trial: true }, ID, SECRET);
    expect(verifyClickToken(token, ID, SECRET)?.trial).toBe(true);
    expect(verifyClickToken(token.replace("-t.", "."), ID, SECRET)).toBeUndefined();
    expect(verifyClickToken(clickToken(CLAIM, ID, SECRET).replace(/^([^.]+\.[^.]+\.[^.]+\.[^.]+)\./, "$1-t."), ID, SECRET)).toBeUndefined();
  });

  const token = clickToken(CLAIM, ID, SECRET);
  it.each([
    ["another newsletter on the same secret", () => verifyClickToken(token, "another.example.org", SECRET)],
    ["another secret", () => verifyClickToken(token, ID, "another-secret-0123456789abcdef")],
    ["truncated", () => verifyClickToken(token.slice(0, -3), ID, SECRET)],
    ["cut in the middle", () => verifyClickToken(token.slice(0, 30), ID, SECRET)],
    ["another link number", () => verifyClickToken(token.replace(".2.", ".3."), ID, SECRET)],
    ["another issue", () => verifyClickToken(token.replace("hello", "hellp"), ID, SECRET)],
    [
      "another time",
      () => verifyClickToken(token.replace(`.${CLAIM.sent.toString(36)}.`, `.${(CLAIM.sent + 1).toString(36)}.`), ID, SECRET),
    ],
    [
      "the time spelt with a leading zero",
      () => verifyClickToken(token.replace(`.${CLAIM.sent.toString(36)}.`, `.0${CLAIM.sent.toString(36)}.`), ID, SECRET),
    ],
    ["garbage", () => verifyClickToken("../../etc/passwd", ID, SECRET)],
    ["empty", () => verifyClickToken("", ID, SECRET)],
    ["a link's token as an open's", () => verifyClickToken(clickToken({ ...CLAIM, link: 0 }, ID, SECRET), ID, SECRET, "open")],
    ["an open's token as a link's", () => verifyClickToken(openToken(CLAIM, ID, SECRET), ID, SECRET)],
  ])("refused: %s", (_name, verify) => {
    expect(verify()).toBeUndefined();
  });

  it("an open's token verifies as an open", () => {
    expect(verifyClickToken(openToken(CLAIM, ID, SECRET), ID, SECRET, "open")).toEqual({ ...CLAIM, link: 0 });
  });
});
