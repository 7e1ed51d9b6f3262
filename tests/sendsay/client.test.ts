import { afterEach, describe, expect, it } from "vitest";
import { errorMessage, errorMessageInEnglish } from "../../src/diagnostics.js";
import { setLanguage } from "../../src/i18n/index.js";
import { pingSendsay } from "../../src/send/transports/sendsay/transport.js";
import {
  classifyError,
  SendsayApiError,
  SendsayClient,
  type SendsayEvent,
  SendsayTransportError,
  sendsayCredentials,
} from "../../src/sendsay/client.js";
import { KEY, LOGIN } from "../send/transports/sendsay/helpers.js";
import { type FakeSendsay, startFakeSendsay } from "./fake-server.js";

let server: FakeSendsay | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(s: FakeSendsay, extra: Partial<ConstructorParameters<typeof SendsayClient>[0]> = {}) {
  return new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: s.url, backoffMs: 5, timeoutMs: 2000, ...extra });
}

describe("sendsay client", () => {
  it("posts JSON to /general/api/v100/json/<login> with the apikey header", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, accountName: "Практика продаж" });
    const result = await pingSendsay(client(server));
    expect(result).toEqual({
      login: LOGIN,
      endpoint: `${server.url}/general/api/v100/json/${LOGIN}`,
      accountId: LOGIN,
      accountName: "Практика продаж",
    });
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req.method).toBe("POST");
    expect(req.path).toBe(`/general/api/v100/json/${LOGIN}`);
    expect(req.headers.authorization).toBe(`sendsay apikey=${KEY}`);
    expect(req.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(req.raw)).toEqual({ action: "sys.settings.get", list: ["about.id", "about.name"] });
  });

  it("follows REDIRECT with the same request and remembers it", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, redirects: 2 });
    const events: SendsayEvent[] = [];
    const c = client(server, { onEvent: (e) => events.push(e) });
    await pingSendsay(c);
    expect(server.requests.map((r) => r.path)).toEqual([
      `/general/api/v100/json/${LOGIN}`,
      `/hop1/general/api/v100/json/${LOGIN}`,
      `/hop2/general/api/v100/json/${LOGIN}`,
    ]);
    // the same body each time
    expect(new Set(server.requests.map((r) => r.raw)).size).toBe(1);
    expect(events.filter((e) => e.type === "redirect")).toHaveLength(2);
    // remembered: the next request goes straight to the last place
    await c.request({ action: "sys.settings.get", list: ["about.id"] }, { idempotent: true });
    expect(server.requests.at(-1)?.path).toBe(`/hop2/general/api/v100/json/${LOGIN}`);
    expect(c.endpoint).toBe(`${server.url}/hop2/general/api/v100/json/${LOGIN}`);
  });

  it("gives up after 10 redirects", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY, redirects: Number.POSITIVE_INFINITY });
    const error = await client(server)
      .request({ action: "sys.settings.get", list: [] }, { idempotent: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendsayTransportError);
    expect((error as Error).message).toMatch(/more than 10 redirects/);
    expect(server.requests).toHaveLength(11);
  });

  it("turns errors into a message naming the id and the fix, without the key", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: "another-key" });
    const error = await pingSendsay(client(server)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendsayApiError);
    const e = error as SendsayApiError;
    expect(e.errorId).toBe("error/auth/failed");
    expect(e.kind).toBe("auth");
    expect(e.message).toMatch(/error\/auth\/failed/);
    expect(e.message).toMatch(/SENDSAY_APIKEY/);
    expect(e.message).toMatch(/nothing was sent/);
    expect(e.message).not.toContain(KEY);
    expect(JSON.stringify(e.diagnostics)).not.toContain(KEY);
    // auth errors are never retried
    expect(server.requests).toHaveLength(1);
  });

  it("masks the key if an answer echoes it", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    server.addFault({ errors: [{ id: "error/apikey/unknown", explain: `key ${KEY} is unknown` }] });
    const e = (await pingSendsay(client(server)).catch((x: unknown) => x)) as SendsayApiError;
    expect(e.message).toContain("key *** is unknown");
    expect(e.message).not.toContain(KEY);
  });

  it("retries a 502 once for a read, with backoff", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    server.addFault({ status: 502 });
    const events: SendsayEvent[] = [];
    const result = await pingSendsay(client(server, { onEvent: (e) => events.push(e) }));
    expect(result.accountId).toBe(LOGIN);
    expect(server.requests).toHaveLength(2);
    expect(events).toEqual([expect.objectContaining({ type: "retry", action: "sys.settings.get", attempt: 1, reason: "HTTP 502" })]);
  });

  it("does not repeat issue.send after a 502: the outcome is in doubt", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    server.addFault({ action: "issue.send", status: 502 });
    const body = {
      action: "issue.send",
      group: "list1",
      sendwhen: "now",
      letter: { subject: "s", "from.email": "a@b.ru", message: { html: "<p>x</p>" } },
    };
    const e = (await client(server)
      .request(body, { idempotent: false })
      .catch((x: unknown) => x)) as SendsayTransportError;
    expect(e).toBeInstanceOf(SendsayTransportError);
    expect(e.inDoubt).toBe(true);
    expect(e.status).toBe(502);
    expect(server.requests).toHaveLength(1);
  });

  it("repeats issue.send after a 503 (Sendsay did not take it)", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    server.addFault({ action: "issue.send", status: 503 });
    const body = {
      action: "issue.send",
      group: "list1",
      sendwhen: "now",
      letter: { subject: "s", "from.email": "a@b.ru", message: { html: "<p>x</p>" } },
    };
    const answer = await client(server).request(body, { idempotent: false });
    expect(answer["track.id"]).toBe("1000");
    expect(server.requests).toHaveLength(2);
  });

  it("waits for a slow answer within the timeout", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    server.addFault({ delayMs: 300 });
    const result = await pingSendsay(client(server, { timeoutMs: 5000 }));
    expect(result.accountId).toBe(LOGIN);
    expect(server.requests).toHaveLength(1);
  });

  it("retries a read whose answer is too slow, but not issue.send", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    server.addFault({ delayMs: 1500 });
    const events: SendsayEvent[] = [];
    const result = await pingSendsay(client(server, { timeoutMs: 300, onEvent: (e) => events.push(e) }));
    expect(result.accountId).toBe(LOGIN);
    expect(events[0]).toMatchObject({ type: "retry", reason: "no answer within 300 ms" });

    server.addFault({ action: "issue.send", delayMs: 1500 });
    const body = {
      action: "issue.send",
      group: "list1",
      sendwhen: "now",
      letter: { subject: "s", "from.email": "a@b.ru", message: { html: "x" } },
    };
    const e = (await client(server, { timeoutMs: 300 })
      .request(body, { idempotent: false })
      .catch((x: unknown) => x)) as SendsayTransportError;
    expect(e).toBeInstanceOf(SendsayTransportError);
    expect(e.inDoubt).toBe(true);
    expect(server.requests.filter((r) => r.body?.action === "issue.send")).toHaveLength(1);
  });

  it("retries when nobody listens, then says how to fix it", async () => {
    server = await startFakeSendsay({ login: LOGIN, apiKey: KEY });
    const url = server.url;
    await server.close();
    server = undefined;
    const events: SendsayEvent[] = [];
    const c = new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: url, backoffMs: 1, maxAttempts: 3, onEvent: (e) => events.push(e) });
    const e = (await pingSendsay(c).catch((x: unknown) => x)) as SendsayTransportError;
    expect(e).toBeInstanceOf(SendsayTransportError);
    expect(e.inDoubt).toBe(false);
    expect(e.message).toMatch(/ECONNREFUSED/);
    expect(e.message).toMatch(/after 3 attempts/);
    expect(e.message).toMatch(/SENDSAY_API_URL/);
    expect(e.message).not.toContain(KEY);
    expect(events.filter((x) => x.type === "retry")).toHaveLength(2);
  });
});

describe("sendsay errors in the editor's language and in English", () => {
  afterEach(() => setLanguage("en"));

  it("keeps a refusal's and an unreachable server's message in English beside the Russian one", async () => {
    setLanguage("ru");
    server = await startFakeSendsay({ login: LOGIN, apiKey: "another-key" });
    const refused = (await pingSendsay(client(server)).catch((e: unknown) => e)) as SendsayApiError;
    expect(errorMessage(refused)).toMatch(/[а-яё]/i);
    expect(errorMessageInEnglish(refused)).toMatch(/^Sendsay refused sys\.settings\.get: error\/auth\/failed/);

    const url = server.url;
    await server.close();
    server = undefined;
    const c = new SendsayClient({ login: LOGIN, apiKey: KEY, baseUrl: url, backoffMs: 1, maxAttempts: 2 });
    const unreachable = (await pingSendsay(c).catch((x: unknown) => x)) as SendsayTransportError;
    expect(errorMessage(unreachable)).toMatch(/[а-яё]/i);
    expect(errorMessageInEnglish(unreachable)).toMatch(/ECONNREFUSED/);
    expect(errorMessageInEnglish(unreachable)).toMatch(/after 2 attempts/);
    expect(errorMessageInEnglish(unreachable)).not.toMatch(/[а-яё]/i);
  });

  it("keeps missing credentials in English too", () => {
    setLanguage("ru");
    const error = (() => {
      try {
        sendsayCredentials(undefined, {});
      } catch (e) {
        return e;
      }
    })();
    expect(errorMessage(error)).toMatch(/[а-яё]/i);
    expect(errorMessageInEnglish(error)).toContain("SENDSAY_APIKEY");
    expect(errorMessageInEnglish(error)).not.toMatch(/[а-яё]/i);
  });
});

describe("sendsay error ids", () => {
  it.each([
    ["error/auth/failed", "auth"],
    ["error/apikey/unknown", "auth"],
    ["error/login/expired", "auth"],
    ["error/rate_limit", "rate"],
    ["error/too_many_requests", "rate"],
    ["error/email/invalid", "recipient"],
    ["error/member/unsubscribed", "recipient"],
    ["error/group/not_found", "request"],
    ["error/letter/incomplete", "request"],
  ] as const)("%s is a %s error", (id, kind) => {
    expect(classifyError(id)).toBe(kind);
  });
});

describe("sendsay credentials", () => {
  it("reads the key and login from the environment, the login also from newsletter.yaml", () => {
    expect(sendsayCredentials({ sendsay: { login: "fromfile" } }, { SENDSAY_APIKEY: "k" })).toEqual({
      apiKey: "k",
      login: "fromfile",
      baseUrl: "https://api.sendsay.ru",
    });
    expect(
      sendsayCredentials(
        { sendsay: { login: "fromfile" } },
        { SENDSAY_APIKEY: "k", SENDSAY_LOGIN: "env", SENDSAY_API_URL: "http://127.0.0.1:9/x/y" },
      ),
    ).toEqual({
      apiKey: "k",
      login: "env",
      baseUrl: "http://127.0.0.1:9",
    });
  });

  it("refuses an API URL that is not http(s)", () => {
    expect(() => sendsayCredentials({ sendsay: { login: "a" } }, { SENDSAY_APIKEY: "k", SENDSAY_API_URL: "ftp://x" })).toThrow(
      /SENDSAY_API_URL is not an http\(s\) URL/,
    );
  });

  it("names what is missing and how to set it", () => {
    let error: unknown;
    try {
      sendsayCredentials({}, {});
    } catch (e) {
      error = e;
    }
    const message = (error as Error).message;
    expect(message).toMatch(/SENDSAY_APIKEY is not set/);
    expect(message).toMatch(/sendsay\.login/);
    expect(message).toMatch(/SENDSAY_LOGIN/);
  });
});
