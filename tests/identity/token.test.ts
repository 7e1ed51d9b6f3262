import { describe, expect, test } from "vitest";
import { createUnsubscribeToken, verifyUnsubscribeToken } from "../../src/identity/token.js";

const SECRET = "token-test-secret-0123456789abcdef";
const LIST = "prodazhi.example.ru";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The other spellings of a 43-character MAC's last character that decode to the same 32 bytes. */
function sameBytesNeighbours(token: string): string[] {
  const [address, mac] = token.split(".");
  const last = ALPHABET.indexOf(mac.at(-1)!);
  // 43 × 6 = 258 bits for 256: the last character's two low bits are not part of the MAC
  return [1, 2, 3].map((flip) => `${address}.${mac.slice(0, -1)}${ALPHABET[last ^ flip]}`);
}

describe("unsubscribe tokens compare exactly", () => {
  test("a valid token verifies, to the normalised address", () => {
    expect(verifyUnsubscribeToken(createUnsubscribeToken("Ivan@Example.RU", LIST, SECRET), LIST, SECRET)).toBe("ivan@example.ru");
  });

  test("the MAC's last character changed to one that decodes to the same bytes is refused", () => {
    for (const email of ["a@example.ru", "ivan.petrov@example.ru", "olga+news@example.ru", "x@y.z"]) {
      const token = createUnsubscribeToken(email, LIST, SECRET);
      const neighbours = sameBytesNeighbours(token);
      for (const altered of neighbours) {
        // the premise: the same bytes, another spelling
        expect(Buffer.from(altered.split(".")[1], "base64url")).toEqual(Buffer.from(token.split(".")[1], "base64url"));
        expect(altered).not.toBe(token);
        expect(verifyUnsubscribeToken(altered, LIST, SECRET), altered).toBeUndefined();
      }
    }
  });

  test("the address part must be canonical too, and other newsletters' or secrets' tokens fail", () => {
    const token = createUnsubscribeToken("a@example.ru", LIST, SECRET);
    expect(verifyUnsubscribeToken(token, "other.example.org", SECRET)).toBeUndefined();
    expect(verifyUnsubscribeToken(token, LIST, "another-secret-0123456789abcdef")).toBeUndefined();
    expect(verifyUnsubscribeToken(`${token.split(".")[0]}=.${token.split(".")[1]}`, LIST, SECRET)).toBeUndefined();
  });
});
