/**
 * The generated hardened configurations, served by real Postfix, Dovecot and nginx on 127.0.10.80,
 * pass `mailcharter audit` with a compliant verdict (the same text `mailcharter policy hardened`
 * prints, with only the listen addresses and lab paths adapted).
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditReport } from "../../src/audit/audit.js";
import { dovecotSsl, nginxWebmail, postfixMainCf, postfixMasterCf } from "../../src/policy/hardened.js";
import { issue, rootCa } from "../support/pki.js";
import { dovecotCommon } from "./lab/lab.js";
import { type PostfixInstance, startPostfix } from "./lab/postfix-instance.js";

const lab = inject("lab");
const address = "127.0.10.80";
const host = "mail.hardened.lab.test";
let dir: string;
let postfix: PostfixInstance | null = null;
let backend: Server | null = null;
const stops: Array<() => Promise<unknown>> = [];

const quiet = (command: string, args: readonly string[]) =>
  new Promise<number | null>((resolve) => {
    const child = spawn(command, [...args], { stdio: "ignore" });
    child.once("error", () => resolve(-1));
    child.once("exit", resolve);
  });

/** "key = value" lines of a generated main.cf, for the instance's own main.cf. */
const settings = (text: string) =>
  Object.fromEntries(
    text
      .split("\n")
      .filter((l) => /^\w+ = /.test(l))
      .map((l) => {
        const [k = "", ...v] = l.split(" = ");
        return [k, v.join(" = ")];
      }),
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-hardened-"));
  chmodSync(dir, 0o755);
  const ca = await rootCa("hardened proof CA");
  const cert = await issue(ca, host, { dnsNames: [host, "webmail.hardened.lab.test"] });
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  writeFileSync(certFile, cert.pem);
  writeFileSync(keyFile, cert.keyPem, { mode: 0o644 });
  writeFileSync(join(dir, "ca.pem"), ca.pem);
  const o = { hostname: host, certFile, keyFile };

  // Dovecot with the generated ssl settings; it also lends Postfix its SASL.
  const dovecotDir = join(dir, "dovecot");
  mkdirSync(join(dovecotDir, "mail"), { recursive: true });
  writeFileSync(
    join(dovecotDir, "dovecot.conf"),
    `${dovecotCommon(dovecotDir, "mchardened").replace("listen = *", `listen = ${address}`)}service auth {
  unix_listener ${dovecotDir}/auth-postfix {
    mode = 0666
  }
}
${dovecotSsl(o)}`,
  );
  expect(await quiet("dovecot", ["-c", join(dovecotDir, "dovecot.conf")])).toBe(0);
  stops.push(() => quiet("dovecot", ["-c", join(dovecotDir, "dovecot.conf"), "stop"]));

  // Postfix with the generated main.cf and master.cf services, bound to the lab address.
  const master = postfixMasterCf()
    .replace(/^submission inet n - y/m, `${address}:587 inet n - n`)
    .replace(/^submissions inet n - y/m, `${address}:465 inet n - n`);
  postfix = await startPostfix({
    name: "hardened",
    address,
    hostname: host,
    master,
    main: {
      ...settings(postfixMainCf(o)),
      smtpd_sasl_type: "dovecot",
      smtpd_sasl_path: `${dovecotDir}/auth-postfix`,
      mydestination: "",
    },
  });

  // The webmail application behind nginx: a login form and a bare session cookie.
  backend = createServer((_req, res) => {
    res.setHeader("Set-Cookie", "SID=abc123; Path=/");
    res.setHeader("Content-Type", "text/html");
    res.end('<form method="post" action="/login"><input name="u"><input type="password" name="p"></form>');
  });
  await new Promise<void>((resolve) => backend?.listen(8080, "127.0.0.1", resolve));

  const nginxDir = join(dir, "nginx");
  mkdirSync(join(nginxDir, "tmp"), { recursive: true });
  const server = nginxWebmail(o)
    .replace(/listen 80;/, `listen ${address}:80;`)
    .replace(/listen 443 ssl;/, `listen ${address}:443 ssl;`);
  writeFileSync(
    join(nginxDir, "nginx.conf"),
    `daemon on;\npid ${nginxDir}/nginx.pid;\nerror_log ${nginxDir}/error.log;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path ${nginxDir}/tmp/body;\n  proxy_temp_path ${nginxDir}/tmp/proxy;\n  fastcgi_temp_path ${nginxDir}/tmp/fastcgi;\n  uwsgi_temp_path ${nginxDir}/tmp/uwsgi;\n  scgi_temp_path ${nginxDir}/tmp/scgi;\n${server}}\n`,
  );
  expect(await quiet("nginx", ["-c", join(nginxDir, "nginx.conf"), "-p", nginxDir])).toBe(0);
  stops.push(() => quiet("nginx", ["-c", join(nginxDir, "nginx.conf"), "-p", nginxDir, "-s", "stop"]));
  writeFileSync(join(dir, "geo.csv"), "127.0.10.0/24,FR\n");
  await new Promise((r) => setTimeout(r, 500));
}, 120_000);

afterAll(async () => {
  if (process.env.MAILCHARTER_DEBUG) console.log(postfix?.log());
  await postfix?.stop();
  await Promise.all(stops.map((s) => s()));
  await new Promise<void>((resolve) => (backend ? backend.close(() => resolve()) : resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe("hardened configurations", () => {
  it("pass mailcharter audit with a compliant verdict", async () => {
    const args = [
      "dist/cli/main.js",
      "audit",
      "hardened.lab.test",
      "--json",
      "--resolver",
      lab.validatingResolver,
      "--allow-private",
      "--ca-file",
      lab.rootCaFile,
      "--ca-file",
      join(dir, "ca.pem"),
      "--geo-file",
      join(dir, "geo.csv"),
      "--ehlo-name",
      "probe.lab.test",
    ];
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile("node", args, { timeout: 180_000, maxBuffer: 32 * 1024 * 1024 }, (error, out) =>
        resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout: out }),
      ),
    );
    const report = JSON.parse(stdout) as AuditReport;
    const notPassing = report.measures.filter((m) => m.charter && m.status !== "pass");
    expect(notPassing, JSON.stringify(notPassing, null, 1)).toEqual([]);
    expect(report.verdict).toBe("compliant");
    expect(code).toBe(0);
    // The cookie guidance works: nginx added the flags the application forgot.
    const session = report.measures.find((m) => m.id === "webmail.session");
    expect(session?.evidence.some((e) => /cookie SID: flags set/.test(e.observed))).toBe(true);
    expect(report.endpoints.map((e) => e.port).sort((x, y) => x - y)).toEqual(
      expect.arrayContaining([25, 110, 143, 465, 587, 993, 995]),
    );
  });
});
