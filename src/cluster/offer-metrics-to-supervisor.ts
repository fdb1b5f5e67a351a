import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * In a worker: answers the supervisor's requests for this worker's metrics (prom-client's cluster
 * protocol over IPC), so the supervisor's /metrics sums every worker. Constructing an
 * AggregatorRegistry is what installs prom-client's worker-side listener.
 */
export function offerMetricsToSupervisor(registry: Registry): void {
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}
