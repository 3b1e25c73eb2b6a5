/**
 * The agency's registry pages (list, adhesion, one organisation's contact, domains and withdrawal
 * notice) and an organisation's own contact page (its operator or the agency). Forms follow
 * Post/Redirect/Get: a change accepted answers 303 to the page that shows it; a form refused is shown
 * again with its values and its errors. Changes go through the same application functions as the
 * API (src/web/app/registry-views.ts), which also sign the published list again.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { RegistryError } from "../../registry/repository.js";
import { cadenceOverview } from "../app/cadence-views.js";
import {
  addDomain,
  addOrganisation,
  editOrganisation,
  noticeWithdrawal,
  organisationState,
  removeDomain,
  visibleOrganisation,
  visibleOrganisations,
} from "../app/registry-views.js";
import type { ServiceContext } from "../context.js";
import { type FormState, formValues, parseForm } from "../forms/form-state.js";
import { adhesionForm, contactForm, domainForm, withdrawalForm } from "../forms/registry-forms.js";
import type { MessageKey } from "../i18n.js";
import { pageContext } from "../page-context.js";
import { cadencePage } from "../pages/cadence-page.js";
import { registryListPage } from "../pages/registry-list.js";
import { adhesionPage, contactPage, type ManageView, managePage } from "../pages/registry-organisation.js";
import { domainParams, idParams } from "../schemas.js";

const html = "text/html; charset=utf-8";

/** The changes a redirect may name (`?done=`), each shown as a one-line confirmation. */
const doneKeys = [
  "adhesionRecorded",
  "contactSaved",
  "domainAdded",
  "domainRemoved",
  "noticeSaved",
] as const satisfies readonly MessageKey[];
const pageQuery = z.object({ lang: z.enum(["fr", "en"]).optional(), done: z.enum(doneKeys).optional() });

const today = (ctx: ServiceContext) => ctx.now().toISOString().slice(0, 10);

/** A refusal the registry (or the accounts) explains: shown as the form's own error, status 422. */
const refused = (error: unknown, values: Record<string, string>): FormState | null =>
  error instanceof RegistryError ? { values, errors: { "": error.message } } : null;

export const registryPageRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const manage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    forms: ManageView["forms"],
    done: MessageKey | null = null,
  ) => {
    const o = await visibleOrganisation(ctx, request.principal, id);
    const date = today(ctx);
    return reply.type(html).send(
      managePage(pageContext(request, reply), {
        ...o,
        state: organisationState(o, date),
        today: date,
        forms,
        done,
      }),
    );
  };

  app.get("/agency/cadence", { schema: { hide: true, querystring: pageQuery } }, async (request, reply) =>
    reply.type(html).send(
      cadencePage(pageContext(request, reply), {
        rows: await cadenceOverview(ctx, request.principal),
        scheduler: ctx.scheduler ?? null,
      }),
    ),
  );

  app.get(
    "/agency/organisations",
    { schema: { hide: true, querystring: pageQuery } },
    async (request, reply) => {
      const date = today(ctx);
      const organisations = (await visibleOrganisations(ctx, request.principal)).map((o) => ({
        id: o.id,
        name: o.name,
        contact: o.contact,
        adhesionDate: o.adhesionDate,
        withdrawalEffectiveDate: o.withdrawalEffectiveDate,
        charterVersion: o.charterVersion,
        state: organisationState(o, date),
        domains: o.domains.map((d) => d.domain),
      }));
      return reply
        .type(html)
        .send(
          registryListPage(pageContext(request, reply), { organisations, done: request.query.done ?? null }),
        );
    },
  );

  const adhesion = async (request: FastifyRequest, reply: FastifyReply, form: FormState) =>
    reply.type(html).send(
      adhesionPage(pageContext(request, reply), {
        versions: await ctx.registry.charterVersions(),
        today: today(ctx),
        form,
      }),
    );

  app.get("/agency/organisations/new", { schema: { hide: true, querystring: pageQuery } }, (request, reply) =>
    adhesion(request, reply, { values: {}, errors: {} }),
  );

  app.post("/agency/organisations", { schema: { hide: true } }, async (request, reply) => {
    const values = formValues(request.body);
    const parsed = parseForm(adhesionForm, request.body);
    if (!parsed.ok) return adhesion(request, reply.code(400), parsed.form);
    const versions = await ctx.registry.charterVersions();
    if (!versions.some((v) => v.version === parsed.data.charterVersion))
      return adhesion(request, reply.code(400), { values, errors: { charterVersion: "errUnknownVersion" } });
    try {
      const created = await addOrganisation(ctx, parsed.data);
      return reply.code(303).redirect(`/agency/organisations/${created.id}?done=adhesionRecorded`);
    } catch (error) {
      const form = refused(error, values);
      if (!form) throw error;
      return adhesion(request, reply.code(422), form);
    }
  });

  app.get(
    "/agency/organisations/:id",
    { schema: { hide: true, params: idParams, querystring: pageQuery } },
    async (request, reply) => manage(request, reply, request.params.id, {}, request.query.done ?? null),
  );

  app.post(
    "/agency/organisations/:id/contact",
    { schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const { id } = request.params;
      const parsed = parseForm(contactForm, request.body);
      if (!parsed.ok) return manage(request, reply.code(400), id, { contact: parsed.form });
      try {
        await editOrganisation(ctx, request.principal, id, { contact: parsed.data.contact });
      } catch (error) {
        const form = refused(error, { contact: parsed.data.contact });
        if (!form) throw error;
        return manage(request, reply.code(422), id, { contact: form });
      }
      return reply.code(303).redirect(`/agency/organisations/${id}?done=contactSaved`);
    },
  );

  app.post(
    "/agency/organisations/:id/domains",
    { schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const { id } = request.params;
      const parsed = parseForm(domainForm, request.body);
      if (!parsed.ok) return manage(request, reply.code(400), id, { domain: parsed.form });
      try {
        await addDomain(ctx, request.principal, id, parsed.data);
      } catch (error) {
        const form = refused(error, { domain: parsed.data.domain, mx: parsed.data.mx.join(", ") });
        if (!form) throw error;
        return manage(request, reply.code(422), id, { domain: form });
      }
      return reply.code(303).redirect(`/agency/organisations/${id}?done=domainAdded`);
    },
  );

  app.post(
    "/agency/organisations/:id/domains/:domainId/delete",
    { schema: { hide: true, params: domainParams } },
    async (request, reply) => {
      const { id, domainId } = request.params;
      try {
        await removeDomain(ctx, request.principal, id, domainId);
      } catch (error) {
        const form = refused(error, {});
        if (!form) throw error;
        return manage(request, reply.code(422), id, { remove: form });
      }
      return reply.code(303).redirect(`/agency/organisations/${id}?done=domainRemoved`);
    },
  );

  app.post(
    "/agency/organisations/:id/withdrawal",
    { schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const { id } = request.params;
      const parsed = parseForm(withdrawalForm, request.body);
      if (!parsed.ok) return manage(request, reply.code(400), id, { withdrawal: parsed.form });
      try {
        await noticeWithdrawal(ctx, request.principal, id, parsed.data.noticeDate, {
          replace: parsed.data.replace,
        });
      } catch (error) {
        const form = refused(error, { noticeDate: parsed.data.noticeDate });
        if (!form) throw error;
        return manage(request, reply.code(422), id, { withdrawal: form });
      }
      return reply.code(303).redirect(`/agency/organisations/${id}?done=noticeSaved`);
    },
  );

  // An organisation's own contact (charter art. 4.3, 4.6: where incident notices go): its operator or
  // the agency; another organisation's page is "not found".
  const contact = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    form: FormState,
    done: MessageKey | null = null,
  ) => {
    const o = await visibleOrganisation(ctx, request.principal, id);
    return reply
      .type(html)
      .send(contactPage(pageContext(request, reply), { id, name: o.name, contact: o.contact, form, done }));
  };

  app.get(
    "/organisations/:id/contact",
    { schema: { hide: true, params: idParams, querystring: pageQuery } },
    async (request, reply) =>
      contact(request, reply, request.params.id, { values: {}, errors: {} }, request.query.done ?? null),
  );

  app.post(
    "/organisations/:id/contact",
    { schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const { id } = request.params;
      // Visible first: another organisation's id is "not found" before anything is validated.
      await visibleOrganisation(ctx, request.principal, id);
      const parsed = parseForm(contactForm, request.body);
      if (!parsed.ok) return contact(request, reply.code(400), id, parsed.form);
      try {
        await editOrganisation(ctx, request.principal, id, { contact: parsed.data.contact });
      } catch (error) {
        const form = refused(error, { contact: parsed.data.contact });
        if (!form) throw error;
        return contact(request, reply.code(422), id, form);
      }
      return reply.code(303).redirect(`/organisations/${id}/contact?done=contactSaved`);
    },
  );
};
