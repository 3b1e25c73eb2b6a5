/**
 * Bad input from users: each mistake a new user makes is one clear line, exit 2, and nothing written
 * (docs/contract.md §4). The CLI runs in-process; files live in a temporary directory removed after.
 */
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli, usageError } from "../../support/cli.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mailcharter-cli-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const db = () => join(dir, "registry.sqlite");
const add = (name: string, domain: string) =>
  cli(
    "registry",
    "add",
    "--db",
    db(),
    "--name",
    name,
    "--contact",
    `postmaster@${domain}`,
    "--adhesion",
    "2026-01-15",
    "--domain",
    `${domain}=mx.${domain}`,
  );

/** A loopback TCP port nobody listens on. */
async function closedTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A loopback UDP port nobody answers on. */
async function closedUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe("audit and probe arguments", () => {
  it("an IP literal is not a mail domain: pointed to probe, no stack trace", async () => {
    expect(usageError(await cli("audit", "127.0.0.1"))).toMatch(/IP address.*mailcharter probe 127\.0\.0\.1/);
    expect(usageError(await cli("audit", "[::1]"))).toMatch(/IP address/);
  });
  it("--country takes assigned ISO 3166-1 codes only", async () => {
    expect(usageError(await cli("audit", "example.org", "--country", "zz"))).toMatch(
      /"ZZ" is not an assigned/,
    );
    expect(usageError(await cli("audit", "example.org", "--country", "fr,qq"))).toMatch(/"QQ"/);
    expect(usageError(await cli("audit", "example.org", "--country", "uk"))).toMatch(/United Kingdom is GB/);
  });
  it("HTTPS has no STARTTLS", async () => {
    expect(
      usageError(await cli("probe", "www.example.org", "--service", "https", "--tls", "starttls")),
    ).toMatch(/HTTPS has no STARTTLS/);
    expect(usageError(await cli("probe", "www.example.org:443", "--tls", "starttls"))).toMatch(/HTTPS/);
  });
  it("--html that cannot be written is refused before any traffic", async () => {
    const started = Date.now();
    const missing = join(dir, "no-such-dir", "report.html");
    expect(usageError(await cli("audit", "example.org", "--html", missing))).toMatch(
      /--html .*cannot be written \(the directory .* does not exist\)/,
    );
    expect(usageError(await cli("audit", "example.org", "--html", dir))).toMatch(/not a regular file/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(existsSync(missing)).toBe(false);
  });
});

describe("notify test", () => {
  it("a --to that is no address, a missing notify.json or --config: one line, exit 2", async () => {
    await add("Alpha", "alpha.example");
    const config = join(dir, "notify.json");
    writeFileSync(config, JSON.stringify({ agency: { email: "cert@agency.example" } }));
    expect(usageError(await cli("notify", "test", "--db", db(), "--config", config, "--to", "cert"))).toMatch(
      /--to: "cert" is not an e-mail address/,
    );
    rmSync(config);
    expect(usageError(await cli("notify", "test", "--db", db()))).toMatch(
      /no .*notify\.json: no channel is configured, nothing to test .*--config/,
    );
    expect(usageError(await cli("notify", "test", "--db", db(), "--config", join(dir, "nope.json")))).toMatch(
      /nope\.json: no such file$/m,
    );
  });
});

describe("policy", () => {
  it("hardened refuses a host name or path that would break the configuration", async () => {
    expect(usageError(await cli("policy", "hardened", "--hostname", "bad name;}"))).toMatch(
      /--hostname: "bad name;}" is not a fully qualified host name/,
    );
    expect(usageError(await cli("policy", "hardened", "--hostname", "localhost"))).toMatch(/--hostname/);
    expect(usageError(await cli("policy", "hardened", "--hostname", "192.0.2.1"))).toMatch(/--hostname/);
    expect(
      usageError(
        await cli("policy", "hardened", "--hostname", "mail.example.org", "--key", "/k; include /x"),
      ),
    ).toMatch(/--key/);
    const good = await cli("policy", "hardened", "--hostname", "Mail.Example.ORG");
    expect(good.code).toBe(0);
    expect(good.out).toContain("server_name mail.example.org");
  });
  it("--dane with a resolver that does not answer is an error, for postfix and exim alike", async () => {
    expect((await add("Alpha", "alpha.example")).code).toBe(0);
    expect((await add("Bravo", "bravo.example")).code).toBe(0);
    const resolver = `127.0.0.1:${await closedUdpPort()}`;
    for (const kind of ["postfix", "exim"]) {
      const result = await cli(
        "policy",
        kind,
        "--db",
        db(),
        "--for",
        "Alpha",
        "--dane",
        "--resolver",
        resolver,
      );
      expect(usageError(result)).toMatch(new RegExp(`--dane: MX bravo\\.example: .*resolver ${resolver}`));
    }
    const mtaSts = await cli("policy", "mta-sts", "--db", db(), "--for", "Alpha", "--dane");
    expect(mtaSts).toMatchObject({
      code: 2,
      out: "",
      err: expect.stringMatching(/^error: unknown option '--dane'\n/),
    });
  });
});

describe("registry", () => {
  it("keygen never overwrites a key pair unless --force", async () => {
    const key = join(dir, "list.key");
    expect((await cli("registry", "keygen", "--out", key)).code).toBe(0);
    const before = readFileSync(key, "utf8");
    expect(usageError(await cli("registry", "keygen", "--out", key))).toMatch(/already exist.*--force/);
    expect(readFileSync(key, "utf8")).toBe(before);
    rmSync(key);
    expect(usageError(await cli("registry", "keygen", "--out", key))).toMatch(
      /list\.key\.pub already exists/,
    );
    expect(existsSync(key)).toBe(false);
    expect((await cli("registry", "keygen", "--out", key, "--force")).code).toBe(0);
    expect(readFileSync(key, "utf8")).not.toBe(before);
  });
  it("a public key as --sign-key, or no key as --public-key, is a usage error", async () => {
    expect((await add("Alpha", "alpha.example")).code).toBe(0);
    const key = join(dir, "list.key");
    await cli("registry", "keygen", "--out", key);
    const list = join(dir, "list.json");
    expect(
      usageError(await cli("registry", "export", "--db", db(), "--sign-key", `${key}.pub`, "--out", list)),
    ).toMatch(/--sign-key .*not an Ed25519 private key.*this is a public key/);
    expect(existsSync(list)).toBe(false);
    expect((await cli("registry", "export", "--db", db(), "--sign-key", key, "--out", list)).code).toBe(0);
    const notKey = join(dir, "notes.txt");
    writeFileSync(notKey, "hello\n");
    const verify = await cli("registry", "verify", list, "--public-key", notKey);
    expect(usageError(verify)).toMatch(/--public-key .*not an Ed25519 public key/);
    expect(verify.err).not.toMatch(/bad_signature/);
    expect((await cli("registry", "verify", list, "--public-key", `${key}.pub`)).code).toBe(0);
  });
  it("an unreachable PostgreSQL is named, not reported as a bug", async () => {
    const url = `postgres://mailcharter:secret@127.0.0.1:${await closedTcpPort()}/registry`;
    const message = usageError(await cli("registry", "list", "--db", url));
    expect(message).toMatch(
      /--db postgres:\/\/\*\*\*@127\.0\.0\.1:\d+\/registry: cannot connect \(.*ECONNREFUSED/,
    );
    expect(message).not.toContain("secret");
  });
  it("add without --domain is refused and creates nothing", async () => {
    const result = await cli(
      "registry",
      "add",
      "--db",
      db(),
      "--name",
      "Alpha",
      "--contact",
      "postmaster@alpha.example",
      "--adhesion",
      "2026-01-15",
    );
    expect(usageError(result)).toMatch(/at least one --domain/);
    expect(existsSync(db())).toBe(false);
  });
  it("a second withdrawal notice needs --replace", async () => {
    await add("Alpha", "alpha.example");
    expect((await cli("registry", "withdraw", "Alpha", "--db", db(), "--notice", "2026-03-01")).code).toBe(0);
    expect(
      usageError(await cli("registry", "withdraw", "Alpha", "--db", db(), "--notice", "2026-04-01")),
    ).toMatch(/already gave notice on 2026-03-01 \(effective 2026-06-01\).*--replace/);
    expect((await cli("registry", "list", "--db", db())).out).toContain("withdrawal effective 2026-06-01");
    const replaced = await cli(
      "registry",
      "withdraw",
      "Alpha",
      "--db",
      db(),
      "--notice",
      "2026-04-01",
      "--replace",
    );
    expect(replaced.code).toBe(0);
    expect((await cli("registry", "list", "--db", db())).out).toContain("withdrawal effective 2026-07-01");
  });
  it("a mistyped --db neither creates directories nor a new empty registry", async () => {
    const deep = join(dir, "no", "such", "registry.sqlite");
    expect(usageError(await cli("registry", "list", "--db", deep))).toMatch(
      /directory .*no\/such does not exist/,
    );
    expect(
      usageError(await add("Alpha", "alpha.example").then(() => cli("registry", "list", "--db", deep))),
    ).toMatch(/does not exist/);
    expect(existsSync(join(dir, "no"))).toBe(false);
    const typo = join(dir, "registy.sqlite");
    expect(usageError(await cli("registry", "list", "--db", typo))).toMatch(/no registry there/);
    expect(existsSync(typo)).toBe(false);
  });
  it("an empty list says so; the default registry is created in the data directory", async () => {
    const saved = process.env.XDG_DATA_HOME;
    process.env.XDG_DATA_HOME = join(dir, "data");
    try {
      const empty = await cli("registry", "list");
      expect(empty).toEqual({
        code: 0,
        out: expect.stringMatching(/^no signatory in the registry/),
        err: "",
      });
      expect(existsSync(join(dir, "data", "mailcharter", "registry.sqlite"))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.XDG_DATA_HOME;
      else process.env.XDG_DATA_HOME = saved;
    }
    await add("Alpha", "alpha.example");
    expect((await cli("registry", "list", "--db", db(), "--at", "2025-12-31")).out).toBe(
      "no signatory in force on 2025-12-31 (1 in the registry)\n",
    );
    expect((await cli("registry", "list", "--db", db(), "--json", "--at", "2025-12-31")).out).toBe("[]\n");
  });
});
