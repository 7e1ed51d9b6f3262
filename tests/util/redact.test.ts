import { describe, expect, test } from "vitest";
import { maskAddress, maskUrl, maskUrlPasswords, passwordOf, redactor, secretsIn } from "../../src/util/redact.js";

test("an address keeps its first letter and its domain", () => {
  expect(maskAddress("ivan.petrov@example.ru")).toBe("i***@example.ru");
  expect(maskAddress("nonsense")).toBe("***");
});

describe("a password in a URL, anywhere in a text", () => {
  test.each([
    ["smtp://user:pa55@host:587", "smtp://user:***@host:587"],
    ["see smtps://u:p%40ss:w@mail.example.ru and postgres://a:b@db/x", "see smtps://u:***@mail.example.ru and postgres://a:***@db/x"],
    ["rassylka send --smtp-url=smtp://me:secret@relay", "rassylka send --smtp-url=smtp://me:***@relay"],
    ["1smtp://u:p@h", "1smtp://u:***@h"],
    ["smtp://user@host (no password)", "smtp://user@host (no password)"],
    ["https://example.ru/a:b@c", "https://example.ru/a:b@c"],
    ["://u:p@h (no scheme)", "://u:p@h (no scheme)"],
    ["a://b://c:d@e", "a://b://c:***@e"],
    ["", ""],
  ])("%s", (text, masked) => {
    expect(maskUrlPasswords(text)).toBe(masked);
  });

  test("linear in the text: long runs that look like the start of a URL take no time to go through", () => {
    // a backtracking pattern takes minutes on these (each start position scans to the end)
    const texts = ["a".repeat(1_000_000), "a://b:".repeat(200_000), `x${"://a:".repeat(300_000)}`, "ab:c".repeat(300_000)];
    const started = performance.now();
    for (const t of texts) expect(maskUrlPasswords(t).length).toBe(t.length);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe("one URL, shown without its secret", () => {
  test.each([
    [
      "postgres://user:pw@db.example.ru/news",
      { defaultPort: "5432", path: true, query: true },
      "postgres://user:***@db.example.ru:5432/news",
    ],
    [
      "postgres://u:pw@db/news?password=x&sslmode=require",
      { defaultPort: "5432", defaultHost: "localhost", path: true, query: true },
      "postgres://u:***@db:5432/news?password=***&sslmode=require",
    ],
    [
      "imaps://bounce%40x.ru:pw@imap.x.ru/INBOX",
      { defaultPort: "993", decodeUser: true, path: true },
      "imaps://bounce@x.ru:***@imap.x.ru:993/INBOX",
    ],
    ["smtp://me:pw@relay:2525", { defaultPort: "587" }, "smtp://me:***@relay:2525"],
    ["not a url //me:pw@relay", { defaultPort: "587" }, "not a url //me:***@relay"],
    // without its scheme the parser reads `bounces:` as one and the password as the path
    ["bounces:Imap%40Pass@imap.x.ru/INBOX", { defaultPort: "993", decodeUser: true, path: true }, "bounces:***@imap.x.ru/INBOX"],
  ])("%s", (url, shape, masked) => {
    expect(maskUrl(url, shape)).toBe(masked);
  });
});

describe("every secret of the environment, by its value", () => {
  const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";
  const env = {
    RASSYLKA_SECRET: "0123456789abcdef0123",
    SENDSAY_APIKEY: "18bDR-key-Value",
    SOME_SERVICE_TOKEN: "tok_9f8e7d6c",
    DKIM_PRIVATE_KEY: PEM,
    SMTP_URL: "smtp://user:p%40ss%2Fword@relay.example.ru:587",
    RASSYLKA_DATABASE_URL: "postgres://rassylka:db-Pass-42@127.0.0.1:5432/news",
    // URLs written without their scheme: the parser takes `user:` for one
    BOUNCES_IMAP_URL: "bounces:Imap%40Pass%2Fword@imap.example.ru/INBOX",
    REPLICA_DATABASE_URL: "rassylka:DbPassw0rd@127.0.0.1:5432/state",
    HOME: "/root",
    LANG: "ru_RU.UTF-8",
    SMTP_TLS_INSECURE: "1",
  };
  const clean = redactor(secretsIn(env, ["smtp://x:flag-pass@h"]));

  test.each([
    ["the unsubscribe secret", "secret 0123456789abcdef0123 leaked"],
    ["the Sendsay key", "apikey=18bDR-key-Value"],
    ["any variable named as a token", "Bearer tok_9f8e7d6c"],
    ["the DKIM key whole", `key: ${PEM}`],
    ["a line of the DKIM key on its own", "oops MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"],
    ["the SMTP password as written", "AUTH p%40ss%2Fword"],
    ["the SMTP password decoded", "535 wrong password p@ss/word"],
    ["the database password", "password authentication failed: db-Pass-42"],
    ["a password given on the command line", "login flag-pass refused"],
    ["the IMAP password of a URL without its scheme", "imap: bounces:Imap%40Pass%2Fword@imap.example.ru"],
    ["that password decoded", "login Imap@Pass/word refused"],
    ["the password of a database URL without its scheme", "db: rassylka:DbPassw0rd@127.0.0.1"],
  ])("%s", (_, text) => {
    const out = clean(text);
    for (const secret of [
      "0123456789abcdef0123",
      "18bDR-key-Value",
      "tok_9f8e7d6c",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
      "p%40ss%2Fword",
      "p@ss/word",
      "db-Pass-42",
      "flag-pass",
      "Imap%40Pass%2Fword",
      "Imap@Pass/word",
      "DbPassw0rd",
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain("***");
  });

  test("what is not a secret stays", () => {
    const text = "LANG ru_RU.UTF-8, insecure 1, relay.example.ru:587, imap.example.ru, home /root";
    expect(clean(text)).toBe(text);
  });
});

describe("secrets in every shape, and a 30 MB text", () => {
  test("a key with characters a URL encodes is masked in a query string too", () => {
    const clean = redactor(secretsIn({ SENDSAY_APIKEY: "ab/cd+ef==xyz" }));
    expect(clean("GET /api?apikey=ab%2Fcd%2Bef%3D%3Dxyz failed")).toBe("GET /api?apikey=*** failed");
  });

  test("passwordOf: user:password@host with or without a scheme; nothing without one", () => {
    expect(passwordOf("postgres://u:p@ss@h/db")).toBe("p@ss");
    expect(passwordOf("u:secret@h:5432/db")).toBe("secret");
    expect(passwordOf("https://example.ru/a@b")).toBeUndefined();
    expect(passwordOf("plain-value")).toBeUndefined();
  });

  test("URL passwords in a text: masked in one pass; 30 MB of letters, or of '://' with no password, in well under 10 s", () => {
    expect(maskUrlPasswords("see smtp://u:pw@h:25 and imaps://x:y:z@host/INBOX")).toBe(
      "see smtp://u:***@h:25 and imaps://x:***@host/INBOX",
    );
    const clean = redactor(["some-secret-value"]);
    for (const text of ["a".repeat(30_000_000), "a://".repeat(7_500_000), `${"x".repeat(15_000_000)}://u:${"p".repeat(15_000_000)}`]) {
      const start = performance.now();
      const out = clean(text);
      expect(performance.now() - start).toBeLessThan(10_000);
      expect(out.length).toBeLessThanOrEqual(text.length);
    }
  }, 60_000);
});
