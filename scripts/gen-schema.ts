/** Writes the JSON Schemas of the public documents, generated from their zod schemas. */
import { mkdirSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { impactJsonSchema } from "../src/annex/impact-schema.js";
import { auditJsonSchema } from "../src/audit/report/schema.js";
import { linksJsonSchema } from "../src/indicators/links/links-document.js";
import { logSummaryJsonSchema } from "../src/indicators/log/summary-schema.js";
import { generateJsonSchema } from "../src/indicators/tlsrpt/generate-document.js";
import { importJsonSchema } from "../src/indicators/tlsrpt/import-document.js";
import { tlsRptReportJsonSchema } from "../src/indicators/tlsrpt/report-schema.js";
import { sentReportJsonSchema } from "../src/indicators/tlsrpt/sent-report-schema.js";
import { scheduleJsonSchema } from "../src/jobs/schedule-document.js";
import { monitorJsonSchema } from "../src/monitor/cycle-report.js";
import { outboundTestJsonSchema } from "../src/outbound/result-document.js";
import { publishedListSchema } from "../src/registry/published-list.js";

mkdirSync("schema", { recursive: true });
const write = (file: string, title: string, schema: unknown) =>
  writeFileSync(
    `schema/${file}`,
    `${JSON.stringify({ $id: `https://mailcharter.invalid/schema/${file}`, title, ...(schema as object) }, null, 2)}\n`,
  );
write("audit-report.schema.json", "mailcharter audit report (mailcharter/audit/1)", auditJsonSchema());
write(
  "published-list.schema.json",
  "mailcharter published list of signatories (mailcharter/list/1)",
  z.toJSONSchema(publishedListSchema, { target: "draft-2020-12" }),
);
write(
  "monitor.schema.json",
  "mailcharter monitor run-once output (mailcharter/monitor/1)",
  monitorJsonSchema(),
);
write(
  "tlsrpt-report.schema.json",
  "SMTP TLS report (RFC 8460 §4) as mailcharter normalises and generates it",
  tlsRptReportJsonSchema(),
);
write(
  "tlsrpt-sent-report.schema.json",
  "SMTP TLS report (RFC 8460 §4.4) as mailcharter sends it",
  sentReportJsonSchema(),
);
write(
  "indicators-import.schema.json",
  "mailcharter indicators import output (mailcharter/indicators-import/1)",
  importJsonSchema(),
);
write(
  "indicators-log.schema.json",
  "mailcharter indicators ingest-log output (mailcharter/indicators-log/1)",
  logSummaryJsonSchema(),
);
write(
  "outbound-test.schema.json",
  "mailcharter outbound STARTTLS test (mailcharter/outbound-test/1)",
  outboundTestJsonSchema(),
);
write(
  "tlsrpt-generate.schema.json",
  "mailcharter tlsrpt generate output (mailcharter/tlsrpt-generate/1)",
  generateJsonSchema(),
);
write(
  "indicators-links.schema.json",
  "mailcharter indicators links output (mailcharter/indicators-links/1)",
  linksJsonSchema(),
);
write(
  "annex-impact.schema.json",
  "mailcharter impact of a proposed annex (mailcharter/annex-impact/1)",
  impactJsonSchema(),
);
write(
  "indicators-schedule.schema.json",
  "mailcharter indicators schedule output (mailcharter/indicators-schedule/1)",
  scheduleJsonSchema(),
);
