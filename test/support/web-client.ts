/** A small HTTPS client for the service tests: trusts one certificate, keeps cookies like a browser. */
import { request } from "node:https";

export interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly bearer?: string;
}

export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly base: string,
    private readonly ca: string,
  ) {}

  fetch(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(path, this.base);
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    } else if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers["content-type"] ??= "application/x-www-form-urlencoded";
    }
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    if (this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, ca: this.ca, timeout: 20_000, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          for (const line of ([] as string[]).concat(res.headers["set-cookie"] ?? [])) {
            const [pair = ""] = line.split(";");
            const eq = pair.indexOf("=");
            const name = pair.slice(0, eq).trim();
            const value = pair.slice(eq + 1).trim();
            if (/expires=Thu, 01 Jan 1970/i.test(line) || value === "") this.cookies.delete(name);
            else this.cookies.set(name, value);
          }
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      });
      req.on("timeout", () => req.destroy(new Error(`timeout ${method} ${path}`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  get(path: string, options?: RequestOptions) {
    return this.fetch("GET", path, options);
  }

  /** The CSRF token of the page's first form. */
  static csrfOf(html: string): string {
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error("no CSRF token in the page");
    return token;
  }

  async login(email: string, password: string): Promise<Response> {
    const page = await this.get("/login");
    return this.fetch("POST", "/login", { form: { email, password, _csrf: WebClient.csrfOf(page.text) } });
  }
}
