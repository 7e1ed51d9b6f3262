import { type Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with node:http (no URL normalisation beyond what `path` says). */
export function request(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<Reply> {
  const u = new URL(base);
  return new Promise((done, fail) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, path, method: opts.method ?? "GET", headers: opts.headers, agent: opts.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.end(opts.body);
  });
}

export function post(base: string, path: string, body = "List-Unsubscribe=One-Click", agent?: Agent): Promise<Reply> {
  return request(base, path, { method: "POST", body, agent, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
}

/** A request written byte for byte on a socket: for targets node:http or fetch would refuse or normalise. */
export function raw(base: string, target: string): Promise<{ status: number; text: string }> {
  const u = new URL(base);
  return new Promise((done, fail) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      // write, not end: a half-closed socket may be dropped before an async answer is written
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      done({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.on("error", fail);
  });
}
