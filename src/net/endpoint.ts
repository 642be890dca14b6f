/**
 * A TCP endpoint (host and port). Neutral ground: the core (change engine, CLI, playbook) and the lab both use
 * it, and the core must not import the lab (design: architecture.md).
 */
export interface Endpoint {
  host: string;
  port: number;
}
