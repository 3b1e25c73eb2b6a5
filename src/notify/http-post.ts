/**
 * One HTTPS POST (webhooks, TLS-RPT reports to an `https:` rua, RFC 8460 §5.3.2), SSRF-safe: the
 * host's addresses are resolved once and judged by the project's address guard (src/net/target-guard.ts,
 * the one the audit uses) — a name resolving to a loopback, private or reserved address is refused —
 * and the connection goes to the address judged, with the name for SNI and certificate checks. No
 * redirect is followed. Each step has a timeout, the whole attempt a deadline, and only the first
 * bytes of the answer are read. Plain http only to a loopback address, and only when private targets
 * are allowed (tests, an internal receiver).
 */
import { lookup } from "node:dns/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { notifyLimits } from "../core/limits.js";
import { targetGuard } from "../net/target-guard.js";
import { type Attempt, failed, sent } from "./attempt.js";
import { isLoopbackHost } from "./config.js";

export interface PostRequest {
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly allowPrivate: boolean;
  /** CA certificates (PEM) for a receiver with a private CA. */
  readonly ca?: string;
  readonly stepTimeoutMs?: number;
}

type Resolved = { readonly address: string; readonly family: 4 | 6 } | { readonly refused: Attempt };

async function resolveGuarded(host: string, allowPrivate: boolean, timeoutMs: number): Promise<Resolved> {
  const bare = host.replace(/^\[|\]$/g, "");
  const guard = targetGuard({ allowPrivate });
  let addresses: { address: string; family: number }[];
  if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
  else {
    let timer: NodeJS.Timeout | undefined;
    try {
      addresses = await Promise.race([
        lookup(bare, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      return { refused: failed("dns", `${bare}: ${(error as Error).message}`) };
    } finally {
      clearTimeout(timer);
    }
  }
  // Fail closed: one refused address refuses the name (a rebinding name mixes public and private).
  for (const a of addresses) {
    const verdict = guard.check(a.address);
    if (!verdict.allowed)
      return { refused: failed("target-not-allowed", `${bare} → ${a.address}: ${verdict.reason}`, true) };
  }
  const first = addresses[0];
  if (!first) return { refused: failed("dns", `${bare}: no address`) };
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

export async function postBytes(req: PostRequest): Promise<Attempt> {
  const step = req.stepTimeoutMs ?? notifyLimits.stepTimeoutMs;
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return failed("bad-message", `${req.url}: not a URL`, true);
  }
  const plain = url.protocol === "http:";
  if (!(url.protocol === "https:" || (plain && req.allowPrivate && isLoopbackHost(url.hostname))))
    return failed(
      "target-not-allowed",
      `${url.origin}: only https (plain http to loopback only, in tests)`,
      true,
    );
  const resolved = await resolveGuarded(url.hostname, req.allowPrivate, step);
  if ("refused" in resolved) return resolved.refused;
  const where = `${url.origin} (${resolved.address})`;
  const port = Number(url.port || (plain ? 80 : 443));
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const done = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request.destroy();
      resolve(attempt);
    };
    const options = {
      host: resolved.address,
      port,
      method: "POST",
      path: `${url.pathname}${url.search}`,
      headers: { ...req.headers, host: url.host, "content-length": String(req.body.length) },
      timeout: step,
      ...(plain
        ? {}
        : {
            // SNI and the certificate check use the URL's name, not the address connected to.
            ...(isIP(url.hostname.replace(/^\[|\]$/g, "")) ? {} : { servername: url.hostname }),
            rejectUnauthorized: true,
            minVersion: "TLSv1.2" as const,
            ...(req.ca ? { ca: req.ca } : {}),
          }),
    };
    const onResponse = (res: import("node:http").IncomingMessage) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const finish = () => {
        const text = Buffer.concat(chunks).toString("utf8").replace(/\s+/g, " ").trim().slice(0, 200);
        const status = res.statusCode ?? 0;
        const detail = `${where}: HTTP ${status}${text ? ` ${text}` : ""}`;
        if (status >= 200 && status < 300) done(sent(detail));
        else if (status >= 300 && status < 400)
          done(failed("http-status", `${detail} (redirects are not followed)`, true));
        // 408 and 429 say "later"; other 4xx will not change by retrying.
        else if (status >= 400 && status < 500 && status !== 408 && status !== 429)
          done(failed("http-status", detail, true));
        else done(failed("http-status", detail));
      };
      res.on("data", (chunk: Buffer) => {
        if (kept < notifyLimits.maxResponseBytes) {
          chunks.push(chunk.subarray(0, notifyLimits.maxResponseBytes - kept));
          kept += chunk.length;
        }
        if (kept >= notifyLimits.maxResponseBytes) finish();
      });
      res.on("end", finish);
      res.on("error", finish);
    };
    const request = plain ? httpRequest(options, onResponse) : httpsRequest(options, onResponse);
    request.on("timeout", () => done(failed("timeout", `${where}: no progress for ${step} ms`)));
    request.on("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "";
      if (/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS_CERT/.test(code))
        done(failed("tls-certificate", `${where}: ${error.message}`));
      else if (/ERR_SSL|EPROTO/.test(code)) done(failed("tls-handshake", `${where}: ${error.message}`));
      else done(failed("connect", `${where}: ${error.message}`));
    });
    const deadline = setTimeout(
      () => done(failed("timeout", `${where}: no answer within ${notifyLimits.attemptTimeoutMs} ms`)),
      notifyLimits.attemptTimeoutMs,
    );
    request.end(req.body);
  });
}
