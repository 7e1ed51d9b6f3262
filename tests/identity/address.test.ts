import { describe, expect, it } from "vitest";
import { addressKey } from "../../src/identity/address.js";
import { createUnsubscribeToken, verifyUnsubscribeToken } from "../../src/identity/token.js";

// one reader, one identity
describe("addressKey", () => {
  it.each([
    ["user@пример.рф", "user@xn--e1afmkfd.xn--p1ai"],
    ["user@xn--e1afmkfd.xn--p1ai", "user@xn--e1afmkfd.xn--p1ai"],
    ["User@ПРИМЕР.РФ", "user@xn--e1afmkfd.xn--p1ai"],
    ["anna@münchen.de", "anna@xn--mnchen-3ya.de"],
    ["anna@XN--MNCHEN-3YA.DE", "anna@xn--mnchen-3ya.de"],
    ["  Anna@Example.RU ", "anna@example.ru"],
    // the local part: lower-cased after NFC (a decomposed й is the composed one), dots and tags kept
    ["Иван.Й\u0306@x.ru".replace("Й\u0306", "И\u0306"), "иван.й@x.ru"],
    ["a.b+news@x.ru", "a.b+news@x.ru"],
  ])("%s → %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it("an unsubscribe token made for one spelling is the other spelling's too", () => {
    const t = createUnsubscribeToken("user@пример.рф", "list", "secret-0123456789abcdef");
    expect(verifyUnsubscribeToken(t, "list", "secret-0123456789abcdef")).toBe("user@xn--e1afmkfd.xn--p1ai");
    expect(createUnsubscribeToken("user@xn--e1afmkfd.xn--p1ai", "list", "secret-0123456789abcdef")).toBe(t);
  });
});
