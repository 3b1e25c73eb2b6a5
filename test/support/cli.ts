/** The command line in-process, for unit tests: argv in, exit status and both outputs back. */
import { Writable } from "node:stream";
import { run } from "../../src/cli/run.js";

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

export async function cli(...argv: string[]): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await run(argv, { out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}

/** A clear error: exit 2, one line on stderr naming the problem, no stack trace, nothing on stdout. */
export function usageError(result: CliResult): string {
  if (result.code !== 2 || result.out !== "" || !/^mailcharter: [^\n]+\n$/.test(result.err))
    throw new Error(`expected one usage-error line and exit 2, got ${JSON.stringify(result)}`);
  if (/internal error|\n\s+at /.test(result.err)) throw new Error(`a bug was reported: ${result.err}`);
  return result.err;
}

/**
 * `registry add` of the signatory "Alpha" (contact tlsrpt@alpha.example, adhered 2026-01-01, domain
 * alpha.example served by mx.alpha.example) into the registry at `db`. Throws with the command's
 * stderr unless it exits 0.
 */
export async function addAlpha(db: string): Promise<CliResult> {
  const result = await cli(
    "registry",
    "add",
    "--db",
    db,
    "--name",
    "Alpha",
    "--contact",
    "tlsrpt@alpha.example",
    "--adhesion",
    "2026-01-01",
    "--domain",
    "alpha.example=mx.alpha.example",
  );
  if (result.code !== 0) throw new Error(`registry add Alpha exited ${result.code}: ${result.err}`);
  return result;
}
