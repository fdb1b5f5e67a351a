import { createServer, type Server } from 'node:http';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../config/schema.ts';
import { metricsOnlyApp } from '../http/metrics-endpoint.ts';

/**
 * The supervisor's `/metrics` on `metrics.port`: every worker's series, summed by prom-client's
 * AggregatorRegistry (counters and histograms add up; gauges such as process memory are summed too,
 * which for a process-wide figure is the total of all workers). Same bearer token as a single node.
 */
export async function serveClusterMetrics(config: Config): Promise<Server> {
  const aggregator = new AggregatorRegistry();
  const source = { contentType: aggregator.contentType, render: () => aggregator.clusterMetrics() };
  const server = createServer(metricsOnlyApp(source, config.metrics.token).callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metrics.port, config.metrics.host, resolve);
  });
  return server;
}
