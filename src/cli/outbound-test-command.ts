/**
 * `mailcharter outbound-test listen|start|result`: the receiving endpoint of the outbound STARTTLS
 * test (src/outbound), a new test for a domain, and a test's result.
 */
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../core/errors.js";
import { loadOutboundConfig, type OutboundConfig } from "../outbound/config.js";
import { startOutboundListener } from "../outbound/listener.js";
import { openOutboundStore } from "../outbound/outbound-store.js";
import { outboundTestResult, startOutboundTest } from "../outbound/outbound-tests.js";
import { outboundTestText } from "../outbound/result-text.js";
import { defaultDatabasePath, openStore } from "../store/database.js";
import type { CommandIo } from "./command.js";
import { parseLang } from "./options.js";

/** Beside the default database: `~/.local/share/mailcharter/outbound-test.json`. */
export const defaultOutboundConfigPath = (): string =>
  join(dirname(defaultDatabasePath()), "outbound-test.json");

const config = (file: string | undefined): OutboundConfig =>
  loadOutboundConfig(file ?? defaultOutboundConfigPath());

function parseSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--expires-in: "${text}" is not a number of seconds`);
  return Number(text) * 1000;
}

function parseId(text: string): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1)
    throw new UsageError(`test id: "${text}" is not a test number`);
  return Number(text);
}

interface Common {
  readonly db?: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly lang?: string;
}

export function register(program: Command, io: CommandIo): void {
  const outbound = program
    .command("outbound-test")
    .description("How a provider's own MTA sends: a receiving endpoint with one certificate per variant");
  outbound
    .command("listen")
    .description("Run the receiving endpoint (every variant of the configuration) until SIGTERM or Ctrl-C")
    .option(
      "--config <file>",
      `variants, names, addresses and certificates (default ${defaultOutboundConfigPath()})`,
    )
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .action(async (o: Common) => {
      const cfg = config(o.config);
      const store = await openStore(o.db, { create: true });
      try {
        const listener = await startOutboundListener(cfg, {
          store: await openOutboundStore(store),
          log: (line) => io.err.write(`mailcharter: ${line}\n`),
        });
        for (const v of listener.variants)
          io.out.write(`listening: ${v.kind} ${v.domain} MX ${v.mxHost} on ${v.host}:${v.port}\n`);
        await new Promise<void>((resolve) => {
          process.once("SIGTERM", resolve);
          process.once("SIGINT", resolve);
        });
        await listener.close();
      } finally {
        await store.close();
      }
    });
  outbound
    .command("start")
    .description("Start a test for a domain: prints one address per variant for its MTA to send to")
    .requiredOption("--domain <domain>", "the domain whose provider sends the test messages")
    .option("--config <file>", `the listener's configuration (default ${defaultOutboundConfigPath()})`)
    .option("--expires-in <seconds>", "lifetime of the test (default: the configuration's, else 1800)")
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option("--json", "print the test as JSON (mailcharter/outbound-test/1)")
    .option("--lang <fr|en>", "language of the text output")
    .action(async (o: Common & { domain: string; expiresIn?: string }) => {
      const cfg = config(o.config);
      const lifetimeMs = parseSeconds(o.expiresIn);
      const lang = parseLang(o.lang);
      const store = await openStore(o.db, { create: true });
      try {
        const doc = await startOutboundTest(store, cfg, {
          domain: o.domain,
          requestedBy: "cli",
          ...(lifetimeMs !== undefined ? { lifetimeMs } : {}),
        });
        io.out.write(o.json ? `${JSON.stringify(doc, null, 2)}\n` : outboundTestText(doc, lang));
      } finally {
        await store.close();
      }
    });
  outbound
    .command("result")
    .description("A test's result: what arrived on each variant, and what it shows of the sender")
    .argument("<id>", "the test number printed by start")
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option("--json", "print the result as JSON (mailcharter/outbound-test/1)")
    .option("--lang <fr|en>", "language of the text output")
    .action(async (id: string, o: Common) => {
      const testId = parseId(id);
      const lang = parseLang(o.lang);
      const store = await openStore(o.db, { create: false });
      try {
        const doc = await outboundTestResult(store, testId);
        if (!doc) throw new UsageError(`outbound test ${testId}: no such test in ${store.location}`);
        io.out.write(o.json ? `${JSON.stringify(doc, null, 2)}\n` : outboundTestText(doc, lang));
      } finally {
        await store.close();
      }
    });
}
