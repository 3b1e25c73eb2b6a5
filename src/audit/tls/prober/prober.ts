/** Glue: the enumeration of one endpoint over real connections, within the politeness limits. */
import type { Network } from "../../../net/network.js";
import type { ProbeOptions, ProbeTarget } from "../../probe/probe-endpoint.js";
import { enumerate, type TlsEnumeration } from "./enumerate.js";
import { helloExchange } from "./hello-exchange.js";
import { defaultPoliteness, EndpointAsker, type HostLimiter, type Politeness } from "./politeness.js";

export interface EnumerationRun {
  readonly enumeration: TlsEnumeration;
  readonly connections: number;
  readonly retries: number;
  readonly throttled: boolean;
}

export interface ProberOptions {
  readonly quick: boolean;
  readonly politeness?: Politeness;
  /** Shared by every endpoint of a run so that the per-host cap holds across them. */
  readonly limiter: HostLimiter;
}

export async function enumerateEndpoint(
  target: ProbeTarget,
  address: string,
  probeOptions: ProbeOptions,
  proberOptions: ProberOptions,
  network: Network,
): Promise<EnumerationRun> {
  const politeness = proberOptions.politeness ?? defaultPoliteness;
  const limiter = proberOptions.limiter;
  const asker = new EndpointAsker(
    (request) => helloExchange(target, address, request, probeOptions, network),
    limiter,
    address,
    politeness,
  );
  const ask = asker.ask.bind(asker);
  const lanes = politeness.maxConnectionsPerHost >= 2 ? [ask, ask] : [ask];
  const enumeration = await enumerate(lanes, { quick: proberOptions.quick });
  return {
    enumeration: asker.throttled
      ? {
          ...enumeration,
          complete: false,
          notes: [...enumeration.notes, "throttled by the server: results are partial"],
        }
      : enumeration,
    connections: asker.connections,
    retries: asker.retries,
    throttled: asker.throttled,
  };
}
