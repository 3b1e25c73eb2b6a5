/** How evidence names one probed endpoint: "host [address]:port". */
import type { EndpointReport } from "../probe/endpoint.js";

export const endpointLabel = (e: Pick<EndpointReport, "host" | "address" | "port">) =>
  `${e.host} [${e.address ?? "?"}]:${e.port}`;
