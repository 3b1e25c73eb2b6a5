/**
 * Reading a webmail's login page (Charte annexe §1.2): the login form — a `<form>` holding a
 * password input — and its action, and the plain-http links and resources of the page.
 *
 * The page is read by htmlparser2's tokenizer alone: one pass, no tree and no stack of open
 * elements, so the cost is linear in the body whatever a server sends. Regular expressions over the
 * body were quadratic on unclosed `<form` tags (512 KB took 17 s and stalled every timer), and so is
 * htmlparser2's Parser on deep nesting (its open-element stack grows by `unshift`: 1 MiB of `<div>`
 * takes 8 s). The tokenizer still knows HTML's raw-text elements, so a `<form>` written inside a
 * `<script>` string is not a form. Forms do not nest in HTML, which is all the state we need.
 */
import { Tokenizer } from "htmlparser2";

export interface LoginForm {
  /** The form's action resolved against the page (and its `<base href>`), as a browser would. */
  readonly action: string;
}

export interface LoginPage {
  /** The first form, in document order, that holds a password input; null when there is none. */
  readonly form: LoginForm | null;
  /** `src`, `href`, `action` (and `formaction`) attribute values that are plain-http URLs. */
  readonly plainHttp: readonly string[];
}

/** Attributes whose URL a browser loads or submits to (mixed content, insecure links). */
const urlAttributes = new Set(["src", "href", "action", "formaction"]);

interface OpenForm {
  readonly action: string;
  readonly id: string | null;
  hasPassword: boolean;
}

function resolve(action: string, base: string): string {
  try {
    return new URL(action || base, base).href;
  } catch {
    return action || base;
  }
}

/** The start tags of a page with their attributes (names lower-cased, values decoded), and end tags. */
function tags(
  html: string,
  onStart: (name: string, attributes: Record<string, string>) => void,
  onEnd: (name: string) => void,
): void {
  let name = "";
  let attributes: Record<string, string> = {};
  let attribute = "";
  let value = "";
  const tokenizer = new Tokenizer(
    { decodeEntities: true },
    {
      onopentagname(start, end) {
        name = html.slice(start, end).toLowerCase();
        attributes = {};
      },
      onattribname(start, end) {
        attribute = html.slice(start, end).toLowerCase();
        value = "";
      },
      onattribdata(start, end) {
        value += html.slice(start, end);
      },
      onattribentity(codepoint) {
        value += String.fromCodePoint(codepoint);
      },
      onattribend() {
        // HTML §13.2.5.33: a repeated attribute is ignored; the first one counts.
        if (!(attribute in attributes)) attributes[attribute] = value;
      },
      onopentagend() {
        onStart(name, attributes);
      },
      onselfclosingtag() {
        onStart(name, attributes);
      },
      onclosetag(start, end) {
        onEnd(html.slice(start, end).toLowerCase());
      },
      oncdata() {},
      oncomment() {},
      ondeclaration() {},
      onend() {},
      onprocessinginstruction() {},
      ontext() {},
      ontextentity() {},
    },
  );
  tokenizer.write(html);
  tokenizer.end();
}

export function readLoginPage(html: string, pageUrl: string): LoginPage {
  const plainHttp: string[] = [];
  const forms: OpenForm[] = [];
  /** Password inputs outside their form, tied to it by `form="id"` (HTML §4.10.17.3). */
  const passwordFormIds = new Set<string>();
  let open: OpenForm | null = null;
  let base: string | null = null;
  tags(
    html,
    (name, attributes) => {
      for (const [attribute, value] of Object.entries(attributes)) {
        if (urlAttributes.has(attribute) && /^http:\/\//i.test(value.trim())) plainHttp.push(value.trim());
      }
      if (name === "base" && base === null && attributes.href !== undefined) {
        base = resolve(attributes.href, pageUrl);
      } else if (name === "form") {
        // HTML §13.2.6.4.7: a <form> start tag while a form is open is ignored.
        if (!open) {
          open = { action: attributes.action?.trim() ?? "", id: attributes.id ?? null, hasPassword: false };
          forms.push(open);
        }
      } else if (name === "input" && (attributes.type ?? "").trim().toLowerCase() === "password") {
        if (attributes.form !== undefined) passwordFormIds.add(attributes.form);
        else if (open) open.hasPassword = true;
      }
    },
    (name) => {
      if (name === "form") open = null;
    },
  );
  const login = forms.find((f) => f.hasPassword || (f.id !== null && passwordFormIds.has(f.id)));
  return {
    form: login ? { action: resolve(login.action, base ?? pageUrl) } : null,
    plainHttp,
  };
}

/** The login form: a <form> holding a password input; its action, resolved against the page URL. */
export const findLoginForm = (html: string, pageUrl: string): LoginForm | null =>
  readLoginPage(html, pageUrl).form;

/** Plain-http links and resources of a page (mixed content, insecure links). */
export const plainHttpReferences = (html: string): string[] => [
  ...readLoginPage(html, "https://page.invalid/").plainHttp,
];
