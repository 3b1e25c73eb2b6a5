/** Writes schema/audit-report.schema.json from the zod schema (src/audit/report/schema.ts). */
import { mkdirSync, writeFileSync } from "node:fs";
import { auditJsonSchema } from "../src/audit/report/schema.js";

mkdirSync("schema", { recursive: true });
const schema = {
  $id: "https://mailcharter.invalid/schema/audit-report.schema.json",
  title: "mailcharter audit report (mailcharter/audit/1)",
  ...(auditJsonSchema() as object),
};
writeFileSync("schema/audit-report.schema.json", `${JSON.stringify(schema, null, 2)}\n`);
