import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import { spawnGuarded, stopGuarded } from './guarded-child.ts';
import { TEST_SECRETS_KEY, temporaryDirectory, type RunningKeyline, type StartOptions } from './start-keyline.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface ClusterOptions extends StartOptions {
  store: string;
  nodes: number;
}

export interface RunningCluster extends RunningKeyline {
  /** How many requests each node has answered, in node order. */
  requestsPerNode(): number[];
}

interface Node {
  child: ChildProcess;
  port: number;
}

/** Starts `src/main.ts` as its own process, as an operator would, and resolves with the port it listens on. */
async function startNode(configPath: string, logs: string[]): Promise<Node> {
  const child = spawnGuarded('keyline-node', process.execPath, [MAIN], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { PATH: process.env.PATH, KEYLINE_CONFIG: configPath, NODE_ENV: 'test' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a Keyline node did not start within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`a Keyline node exited with ${code} before listening: ${stderr}`)));
    lines.on('line', (line) => {
      logs.push(line);
      let record: { msg?: string; port?: number } = {};
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        return;
      }
      if (record.msg === 'Keyline is listening' && record.port) {
        clearTimeout(timer);
        resolve(record.port);
      }
    });
  });
  return { child, port };
}

/** A reverse proxy that sends every request to the next node in turn, as a round-robin load balancer does. */
async function startRoundRobinProxy(nodes: Node[], answered: number[]): Promise<Server> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const index = next;
    next = (next + 1) % nodes.length;
    answered[index]! += 1;
    const forwardedFor = [incoming.headers['x-forwarded-for'], incoming.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = request({
      host: '127.0.0.1',
      port: nodes[index]!.port,
      method: incoming.method,
      path: incoming.url,
      headers: { ...incoming.headers, 'x-forwarded-for': forwardedFor },
      agent,
    }, (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.rawHeaders);
      response.pipe(outgoing);
    });
    upstream.on('error', (error) => {
      outgoing.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${error.message}`);
    });
    incoming.pipe(upstream);
  });
  server.on('close', () => agent.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * Several Keyline processes on one store behind a round-robin proxy: what "nodes are stateless"
 * means, tested. The nodes trust two hops (`proxy: true`, `trustedProxyHops: 2`): the test stands
 * for an outer proxy, whose X-Forwarded-For names the client IP it speaks for, and the round-robin
 * proxy appends its own peer as a load balancer does. The returned object works like a single Keyline for the test helpers:
 * its `keyline` is an in-process app on the same store (for registering clients and users, as the
 * CLI would) that serves no traffic.
 */
export async function startKeylineCluster(options: ClusterOptions): Promise<RunningCluster> {
  const directory = temporaryDirectory('keyline-cluster-');
  const answered = Array.from({ length: options.nodes }, () => 0);
  const nodes: Node[] = [];
  const logs: string[] = [];
  // The proxy's port is the issuer's, so it is reserved before the nodes learn their configuration.
  const proxy = await startRoundRobinProxy(nodes, answered);
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const config = parseConfig({
    issuer: url, port: 0, host: '127.0.0.1', store: options.store, proxy: true, trustedProxyHops: 2, logLevel: options.logLevel ?? 'info',
    secrets: { keys: [TEST_SECRETS_KEY] }, ...options.config,
  });
  const configPath = join(directory.path, 'keyline.yaml');
  writeFileSync(configPath, JSON.stringify(config));

  const store = await openStore(config);
  const sink = new Writable({ write(chunk, _encoding, done) { logs.push(String(chunk)); done(); } });
  const keyline = await createApp({ config, store, logger: createLogger('silent', sink) });
  try {
    nodes.push(...await Promise.all(Array.from({ length: options.nodes }, () => startNode(configPath, logs))));
  } catch (error) {
    await Promise.all(nodes.map((node) => stopGuarded(node.child)));
    proxy.close();
    await store.close();
    directory.remove();
    throw error;
  }

  return {
    url,
    config,
    store,
    keyline,
    metricsUrl: undefined,
    logs,
    requestsPerNode: () => [...answered],
    async stop() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await Promise.all(nodes.map((node) => stopGuarded(node.child)));
      await keyline.close();
      await store.close();
      directory.remove();
    },
  };
}
