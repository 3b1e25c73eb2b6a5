/**
 * A child process for the kill -9 test of `ingest-log` (test/unit/indicators/ingest-crash.test.ts):
 * ingests LOG into DB as organisation ORG_ID in batches of BATCH sessions, and SIGKILLs itself at the
 * KILL_AT-th session row written — inside a batch's open SQLite transaction, after some of its rows
 * and before its cursor. Arguments: DB LOG ORG_ID BATCH KILL_AT.
 */
import { partyDirectory } from "../../src/indicators/links/directory.js";
import { ingestFile } from "../../src/indicators/log/ingest.js";
import { LogStore } from "../../src/indicators/log/log-store.js";
import { Registry } from "../../src/registry/repository.js";
import { openStore } from "../../src/store/database.js";

const [db, log, orgId, batch, killAt] = process.argv.slice(2);
const store = await openStore(db);
const sqlite = store.sqlite;
if (!sqlite) throw new Error("an SQLite store was expected");
let rows = 0;
const prepare = sqlite.prepare.bind(sqlite);
// Every statement the ingestion prepares counts its session inserts; the KILL_AT-th never returns.
sqlite.prepare = ((source: string) => {
  const statement = prepare(source);
  if (!/insert into log_sessions/i.test(source)) return statement;
  const run = statement.run.bind(statement);
  statement.run = ((...args: unknown[]) => {
    rows += 1;
    if (rows === Number(killAt)) process.kill(process.pid, "SIGKILL");
    return run(...args);
  }) as typeof statement.run;
  return statement;
}) as typeof sqlite.prepare;
const registry = await Registry.open(store);
await ingestFile(log as string, {
  format: "postfix",
  organisationId: Number(orgId),
  directory: partyDirectory(await registry.entries()),
  store: await LogStore.open(store),
  batchSessions: Number(batch),
});
await store.close();
console.log("finished without being killed");
