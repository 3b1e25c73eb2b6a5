/** The pure and local pieces of notify: configuration and secrets, the SSRF guard of POSTs, signatures, texts. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { loadNotifyConfig } from "../../../src/notify/config.js";
import { classifySmtpError } from "../../../src/notify/email-send.js";
import { postBytes } from "../../../src/notify/http-post.js";
import { noticeSchema } from "../../../src/notify/notice.js";
import { renderMail } from "../../../src/notify/render.js";
import { buildReportMail } from "../../../src/notify/tlsrpt-mail.js";
import { signHeaders, verifySignature } from "../../../src/notify/webhook-signature.js";

const dir = mkdtempSync(join(tmpdir(), "mailcharter-notify-pieces-"));
writeFileSync(join(dir, "secret"), "whsec_c2VjcmV0LWJ5dGVz\n", { mode: 0o600 });
writeFileSync(join(dir, "open-secret"), "x", { mode: 0o644 });

describe("configuration", () => {
  it("reads secrets from files, decodes whsec_ secrets, and never shows them", () => {
    const config = loadNotifyConfig(
      JSON.stringify({ webhooks: [{ name: "w", url: "https://h.example/x", secretFile: "secret" }] }),
      "notify.json",
      dir,
    );
    const hook = config.webhooks[0];
    expect(hook?.secret.reveal().toString()).toBe("secret-bytes");
    expect(JSON.stringify(config)).not.toContain("secret-bytes");
    expect(inspect(config, { depth: 5 })).not.toContain("secret-bytes");
    expect(String(hook?.secret)).toBe("[secret]");
  });

  it("refuses a secret readable by others, plain http, unknown keys, and says where", () => {
    expect(() =>
      loadNotifyConfig(
        JSON.stringify({ webhooks: [{ name: "w", url: "https://h.example/", secretFile: "open-secret" }] }),
        "notify.json",
        dir,
      ),
    ).toThrow(/notify.json: secret of webhook w .*open-secret is readable by others/);
    expect(() =>
      loadNotifyConfig(
        JSON.stringify({ webhooks: [{ name: "w", url: "http://h.example/", secretFile: "secret" }] }),
        "notify.json",
        dir,
      ),
    ).toThrow(/is not https/);
    expect(() => loadNotifyConfig(JSON.stringify({ emial: {} }), "notify.json", dir)).toThrow(/emial/);
    expect(() => loadNotifyConfig("{", "notify.json", dir)).toThrow(/notify.json: not JSON/);
  });
});

describe("HTTPS POST", () => {
  it("refuses private and loopback targets unless allowed, and plain http except to loopback", async () => {
    const body = Buffer.from("{}");
    const refused = await postBytes({ url: "https://127.0.0.1:9/", body, headers: {}, allowPrivate: false });
    expect(refused).toMatchObject({ ok: false, code: "target-not-allowed", permanent: true });
    const rfc1918 = await postBytes({ url: "https://10.1.2.3/", body, headers: {}, allowPrivate: false });
    expect(rfc1918).toMatchObject({ ok: false, code: "target-not-allowed" });
    const plain = await postBytes({ url: "http://h.example/", body, headers: {}, allowPrivate: true });
    expect(plain).toMatchObject({ ok: false, code: "target-not-allowed" });
  });

  it("reads a bounded answer, does not follow redirects, retries 5xx and not 4xx", async () => {
    const statuses = [302, 404, 503, 200];
    const server = createServer((_req, res) => {
      const status = statuses.shift() ?? 200;
      res.writeHead(status, status === 302 ? { location: "https://elsewhere.example/" } : {});
      res.end("y".repeat(100_000));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const post = () =>
      postBytes({
        url: `http://127.0.0.1:${port}/hook`,
        body: Buffer.from("{}"),
        headers: {},
        allowPrivate: true,
      });
    try {
      expect(await post()).toMatchObject({ ok: false, code: "http-status", permanent: true });
      expect(await post()).toMatchObject({ ok: false, code: "http-status", permanent: true });
      expect(await post()).toMatchObject({ ok: false, code: "http-status", permanent: false });
      const ok = await post();
      expect(ok.ok).toBe(true);
      expect(ok.detail.length).toBeLessThan(400);
    } finally {
      server.close();
    }
  });
});

describe("signatures, SMTP outcomes, texts", () => {
  it("a webhook signature verifies, and fails with another body, secret or a stale timestamp", () => {
    const secret = Buffer.from("k");
    const body = Buffer.from('{"a":1}');
    const at = new Date("2026-12-02T00:00:00Z");
    const headers = signHeaders(secret, "msg_1", at, body);
    expect(verifySignature(secret, { ...headers }, body, at)).toBe("valid");
    expect(verifySignature(secret, { ...headers }, Buffer.from('{"a":2}'), at)).toBe("bad-signature");
    expect(verifySignature(Buffer.from("j"), { ...headers }, body, at)).toBe("bad-signature");
    expect(verifySignature(secret, { ...headers }, body, new Date(at.getTime() + 301_000))).toBe("stale");
  });

  it("names a refused STARTTLS, a bad certificate and a 5xx", () => {
    const starttls = classifySmtpError(
      Object.assign(new Error("Error upgrading connection with STARTTLS"), {
        code: "ETLS",
        command: "STARTTLS",
        response: "502 5.5.1 Error: command not implemented",
      }),
      "relay r:25",
    );
    expect(starttls).toMatchObject({ ok: false, code: "starttls-unavailable", permanent: false });
    expect(
      classifySmtpError(
        Object.assign(new Error("self-signed certificate"), { code: "ESOCKET" }),
        "relay r:25",
      ),
    ).toMatchObject({ code: "tls-certificate" });
    expect(
      classifySmtpError(
        Object.assign(new Error("rejected"), { code: "EENVELOPE", responseCode: 550 }),
        "relay r:25",
      ),
    ).toMatchObject({ code: "smtp-rejected", permanent: true });
  });

  it("renders one language or both, French first, with absolute links", () => {
    const notice = noticeSchema.parse({
      kind: "incident-resolved",
      dedupKey: "incident:3:resolved",
      organisation: "Org",
      domain: "org.example",
      audiences: ["signatories"],
      summary: { fr: "TLS rétabli", en: "TLS restored" },
      links: { incident: "/incidents/3" },
      occurredAt: "2026-12-02T00:00:00.000Z",
    });
    const both = renderMail(notice, "signatories", "both", "https://mc.example/base/");
    expect(both.subject).toBe("[mailcharter] Incident résolu / Incident resolved — org.example");
    expect(both.text.indexOf("Incident résolu : TLS rétabli")).toBeLessThan(
      both.text.indexOf("Incident resolved: TLS restored"),
    );
    expect(both.text).toContain("https://mc.example/incidents/3");
    const en = renderMail(notice, "signatories", "en", null);
    expect(en.text).not.toContain("rétabli");
    expect(en.text).toContain("Incident: /incidents/3");
  });

  it("refuses header injection in a report mail", () => {
    expect(() =>
      buildReportMail({
        from: "a@a.example",
        to: "b@b.example",
        report: {
          policyDomain: "b.example\r\nBcc: x@evil.example",
          submitter: "a.example",
          reportId: "1",
          filename: "f",
        },
        gzip: Buffer.from([0x1f, 0x8b]),
        date: new Date(),
      }),
    ).toThrow(/policy domain/);
  });
});
