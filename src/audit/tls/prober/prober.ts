/** Glue: the enumeration of one endpoint over real connections, within its deadline and politeness. */
import type { Deadline } from "../../../net/deadline.js";
import type { Network } from "../../../net/network.js";
import type { EndpointLearning } from "./endpoint-learning.js";
import { enumerate, type TlsEnumeration } from "./enumerate.js";
import { type HelloTarget, helloExchange } from "./hello-exchange.js";
import { defaultPoliteness, EndpointAsker, type Politeness } from "./politeness.js";

export interface EnumerationRun {
  readonly enumeration: TlsEnumeration;
  readonly connections: number;
  readonly retries: number;
  readonly throttled: boolean;
}

export interface ProberOptions {
  readonly quick: boolean;
  readonly politeness?: Politeness;
}

export async function enumerateEndpoint(
  target: HelloTarget,
  proberOptions: ProberOptions,
  deadline: Deadline,
  learning: EndpointLearning,
  network: Network,
): Promise<EnumerationRun> {
  const politeness = proberOptions.politeness ?? defaultPoliteness;
  const asker = new EndpointAsker(
    (request) => helloExchange(target, request, deadline, network, (ms) => learning.noteDialogue(ms)),
    politeness,
    deadline,
    learning,
  );
  const ask = asker.ask.bind(asker);
  const lanes =
    Math.min(politeness.maxConnectionsPerHost, network.limiter?.maxPerHost ?? Number.POSITIVE_INFINITY) >= 2
      ? [ask, ask]
      : [ask];
  const enumeration = await enumerate(lanes, { quick: proberOptions.quick });
  const reason = enumeration.incompleteReason ?? asker.stoppedBy;
  return {
    enumeration:
      asker.throttled && !enumeration.notes.some((n) => n.startsWith("throttled"))
        ? {
            ...enumeration,
            complete: false,
            incompleteReason: reason ?? "throttled",
            notes: [...enumeration.notes, "throttled by the server: results are partial"],
          }
        : enumeration,
    connections: asker.connections,
    retries: asker.retries,
    throttled: asker.throttled,
  };
}
