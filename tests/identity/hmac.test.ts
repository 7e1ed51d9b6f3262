import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacSha256, signerFor } from "../../src/identity/hmac.js";

const reference = (key: string, data: string) => createHmac("sha256", key).update(data).digest("hex");

describe("hmacSha256", () => {
  const keys = {
    "an ASCII secret": "bench-secret-0123456789abcdef",
    "an empty key": "",
    "a key of exactly one block": "k".repeat(64),
    "a key longer than the block (hashed first)": "long-secret-".repeat(12),
    "a key with Cyrillic letters": "секрет-рассылки-2026",
  };
  const messages = ["", "click\nnewsletter-id\n2026-11-10\n3\n0123456789abcdef\nsk2b1c\n", "читатель@почта.рф", "x".repeat(200)];

  for (const [name, key] of Object.entries(keys)) {
    it(`gives createHmac's MAC for ${name}`, () => {
      const sign = hmacSha256(key);
      for (const data of messages) expect(sign(data).toString("hex")).toBe(reference(key, data));
    });
  }

  it("signs many messages with one key without one message leaking into the next", () => {
    const sign = signerFor("bench-secret-0123456789abcdef");
    const macs = ["a", "b", "a"].map((d) => sign(d).toString("hex"));
    expect(macs[0]).toBe(macs[2]);
    expect(macs[0]).not.toBe(macs[1]);
    expect(macs[1]).toBe(reference("bench-secret-0123456789abcdef", "b"));
  });
});
