/**
 * `mailcharter notify test [--channel email|webhook] [--to ADDR] [--config FILE] [--db …] [--json]`:
 * a test notice through each configured channel, now, with per channel `ok` or `error` and the reason.
 * The channels are configured in `notify.json` in the data directory (src/notify/config.ts).
 */
import { existsSync } from "node:fs";
import { type Command, Option } from "commander";
import { z } from "zod";
import { MailcharterError } from "../core/errors.js";
import { readNotifyConfig } from "../notify/config.js";
import { defaultNotifyConfigPath, testChannels } from "../notify/notify-service.js";
import { openStore } from "../store/database.js";
import { migrate } from "../store/migrations.js";
import type { CommandIo } from "./command.js";

interface NotifyTestOptions {
  readonly channel?: "email" | "webhook";
  readonly to?: string;
  readonly config?: string;
  readonly dataDir?: string;
  readonly db?: string;
  readonly json?: boolean;
}

export function register(program: Command, io: CommandIo): void {
  const notify = program
    .command("notify")
    .description("Notification channels of the service (e-mail, webhooks)");
  notify
    .command("test")
    .description("Send a test notice through each configured channel and say, per channel, whether it went")
    .addOption(new Option("--channel <channel>", "only this channel").choices(["email", "webhook"]))
    .option(
      "--to <address>",
      "send the test e-mail here (default: the agency's address in the configuration)",
    )
    .option("--config <file>", "the channels' configuration (default: notify.json in the data directory)")
    .option("--data-dir <dir>", "the service's data directory (default: beside the SQLite file)")
    .option("--db <path|url>", "database file or postgres:// URL (default: the user's data directory)")
    .option("--json", "print the results as JSON (mailcharter/notify-test/1)")
    .action(async (o: NotifyTestOptions) => {
      if (o.to !== undefined && !z.email().safeParse(o.to).success)
        throw new MailcharterError("usage", `--to: "${o.to}" is not an e-mail address`);
      const path = o.config ?? defaultNotifyConfigPath(o.db, o.dataDir);
      if (o.config === undefined && !existsSync(path))
        throw new MailcharterError(
          "usage",
          `no ${path}: no channel is configured, nothing to test (write notify.json there, README "Notifications and metrics", or name one with --config)`,
        );
      const config = readNotifyConfig(path, true);
      const store = await openStore(o.db, { create: false });
      try {
        await migrate(store.db as never, store.engine);
        const { results, missing } = await testChannels(store, config, {
          ...(o.channel ? { channel: o.channel } : {}),
          ...(o.to ? { to: o.to } : {}),
        });
        if (o.json) {
          const json = {
            schema: "mailcharter/notify-test/1",
            config: path,
            results: results.map((r) => ({
              channel: r.channel,
              name: r.name,
              destination: r.destination,
              status: r.attempt.ok ? "ok" : "error",
              code: r.attempt.ok ? null : r.attempt.code,
              detail: r.attempt.detail,
            })),
            missing,
          };
          io.out.write(`${JSON.stringify(json, null, 2)}\n`);
        } else {
          for (const r of results)
            io.out.write(
              `${r.channel}${r.name ? ` ${r.name}` : ""} → ${r.destination}: ${r.attempt.ok ? "ok" : `error ${r.attempt.code}`} — ${r.attempt.detail}\n`,
            );
          for (const m of missing) io.out.write(`${m}\n`);
        }
        const ok = results.length > 0 && results.every((r) => r.attempt.ok);
        io.setExit(ok ? 0 : 1);
      } finally {
        await store.close();
      }
    });
}
