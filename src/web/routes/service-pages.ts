/**
 * The service's pages beyond the home page: a domain (latest report, history, diff), an audit run
 * (progress by meta refresh), an organisation's dashboard, the agency's matrix, and the form posts
 * (audit now, cadence). They call the same application functions as the API (src/web/app), so the
 * same visibility rules hold: another organisation's domain is "not found".
 */
import { randomUUID } from "node:crypto";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { auditReportCss } from "../../audit/report/audit-html.js";
import { ApiError, notFound } from "../api-error.js";
import {
  auditDiff,
  domainAudits,
  domainSchedule,
  requestDomainAudit,
  setDomainCadence,
  visibleAudit,
} from "../app/audit-views.js";
import { charterMatrix, organisationDeadlines } from "../app/dashboard-views.js";
import { visibleIncidents } from "../app/incident-views.js";
import { visibleDomain, visibleDomains, visibleOrganisation } from "../app/registry-views.js";
import { actsForOrganisation } from "../authorization.js";
import type { ServiceContext } from "../context.js";
import { pageContext } from "../page-context.js";
import { auditRunPage } from "../pages/audit-run.js";
import { diffPage } from "../pages/diff.js";
import { domainPage } from "../pages/domain.js";
import { matrixPage } from "../pages/matrix.js";
import { organisationPage } from "../pages/organisation.js";
import { idParams } from "../schemas.js";

const html = "text/html; charset=utf-8";
const langQuery = z.object({ lang: z.enum(["fr", "en"]).optional() });
const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const diffPageQuery = langQuery.extend({ from: id, to: id });
const csrfBody = z.object({ _csrf: z.string().max(512).optional() });
const cadenceBody = csrfBody.extend({ hours: z.coerce.number().int().min(1).max(744) });

export const servicePageRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  // The report's own stylesheet, so the domain page looks exactly like the HTML report.
  app.get("/report.css", { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type("text/css; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .send(auditReportCss),
  );

  app.get("/dashboard", { schema: { hide: true, querystring: langQuery } }, async (request, reply) => {
    const p = request.principal;
    if (p.kind === "account" && p.role === "operator" && p.organisationId !== null)
      return reply.code(303).redirect(`/organisations/${p.organisationId}`);
    return reply.code(303).redirect(p.kind === "account" && p.role !== "operator" ? "/matrix" : "/");
  });

  app.get(
    "/organisations/:id",
    { schema: { hide: true, params: idParams, querystring: langQuery } },
    async (request, reply) => {
      const viewer = request.principal;
      const organisation = await visibleOrganisation(ctx, viewer, request.params.id);
      const verdicts = new Map((await visibleDomains(ctx, viewer)).map((d) => [d.id, d.latest]));
      const view = {
        name: organisation.name,
        adhesionDate: organisation.adhesionDate,
        withdrawalEffectiveDate: organisation.withdrawalEffectiveDate,
        domains: organisation.domains.map((d) => ({
          id: d.id,
          domain: d.domain,
          latest: verdicts.get(d.id) ?? null,
        })),
        deadlines: await organisationDeadlines(ctx, viewer, organisation.id),
        canAudit: actsForOrganisation(viewer, organisation.id) && ctx.history !== null,
        id: organisation.id,
        canEditContact: actsForOrganisation(viewer, organisation.id),
        ...(ctx.incidents
          ? { incidents: await visibleIncidents(ctx, viewer, { organisationId: organisation.id, limit: 20 }) }
          : {}),
      };
      return reply.type(html).send(organisationPage(pageContext(request, reply), view));
    },
  );

  app.get(
    "/domains/:id",
    { schema: { hide: true, params: idParams, querystring: langQuery } },
    async (request, reply) => {
      const viewer = request.principal;
      const domain = await visibleDomain(ctx, viewer, request.params.id);
      const runs = await domainAudits(ctx, viewer, domain.id, { limit: 50, offset: 0 });
      const lastDone = runs.find((r) => r.status === "done");
      const latestRun = lastDone ? await visibleAudit(ctx, viewer, lastDone.id) : null;
      const schedule = await domainSchedule(ctx, viewer, domain.id);
      const page = pageContext(request, reply);
      return reply.type(html).send(
        domainPage(page, {
          id: domain.id,
          domain: domain.domain,
          organisation: { id: domain.organisationId, name: domain.organisation },
          runs,
          latest: latestRun?.report ? { id: latestRun.id, report: latestRun.report } : null,
          schedule: { cadenceSeconds: schedule.cadenceSeconds, nextDueAt: schedule.nextDueAt },
          canAudit: actsForOrganisation(viewer, domain.organisationId),
          canSetCadence: viewer.kind === "account" && viewer.role === "agency",
          scheduler: ctx.scheduler ?? null,
          ...(ctx.incidents
            ? { incidents: await visibleIncidents(ctx, viewer, { domainId: domain.id, limit: 20 }) }
            : {}),
        }),
      );
    },
  );

  app.get(
    "/domains/:id/diff",
    { schema: { hide: true, params: idParams, querystring: diffPageQuery } },
    async (request, reply) => {
      const viewer = request.principal;
      const domain = await visibleDomain(ctx, viewer, request.params.id);
      const { from, to } = request.query;
      if (from === to) throw new ApiError(400, "invalid_request", "choose two different audits");
      // Both audits must be of this domain: one seen through another domain's page is "not found".
      for (const run of [from, to])
        if ((await visibleAudit(ctx, viewer, run)).domain !== domain.domain) throw notFound(`audit ${run}`);
      const result = await auditDiff(ctx, viewer, to, from);
      return reply.type(html).send(
        diffPage(pageContext(request, reply), {
          domainId: domain.id,
          from: result.from,
          to: result.to,
          diff: result.diff,
        }),
      );
    },
  );

  app.get(
    "/audits/:id",
    { schema: { hide: true, params: idParams, querystring: langQuery } },
    async (request, reply) => {
      const viewer = request.principal;
      const run = await visibleAudit(ctx, viewer, request.params.id);
      const domain = (await visibleDomains(ctx, viewer)).find((d) => d.domain === run.domain);
      if (!domain) throw notFound(`audit ${run.id}`);
      return reply.type(html).send(auditRunPage(pageContext(request, reply), domain.id, run));
    },
  );

  app.post(
    "/domains/:id/audit",
    { schema: { hide: true, params: idParams, body: csrfBody } },
    async (request, reply) => {
      // A fresh key per press: each press asks for a run; the history folds it into one already queued.
      const { run } = await requestDomainAudit(ctx, request.principal, request.params.id, randomUUID());
      return reply.code(303).redirect(`/audits/${run.id}`);
    },
  );

  app.post(
    "/domains/:id/cadence",
    { schema: { hide: true, params: idParams, body: cadenceBody } },
    async (request, reply) => {
      await setDomainCadence(ctx, request.principal, request.params.id, request.body.hours * 3600);
      return reply.code(303).redirect(`/domains/${request.params.id}`);
    },
  );

  app.get("/matrix", { schema: { hide: true, querystring: langQuery } }, async (request, reply) =>
    reply
      .type(html)
      .send(matrixPage(pageContext(request, reply), await charterMatrix(ctx, request.principal))),
  );
};
