// Steps that fix a product's exposure, by the node names an exposure shows
// (a NAMES node's short name, or a full name): the same words for every probe
// kind, urgent ones first.

const COUCHDB = /^couchdb(@|$)/i;
const RABBIT = /^rabbit(mq)?(@|$)/i;
const EJABBERD = /^ejabberd(@|$)/i;

/** A node as the product steps see it. */
export interface ProductNode {
  /** Its name: short (`couchdb`) or full (`couchdb@host`). */
  name: string;
  /** Its full name, when a handshake gave one. */
  fullName?: string | null;
  /** It accepted a cookie (--check-cookies). */
  accepted: boolean;
}

/** Whether a node name (short or full) is CouchDB's. */
export function isCouchName(name: string): boolean {
  return COUCHDB.test(name);
}

const either = (re: RegExp) => (n: ProductNode) => re.test(n.name) || re.test(n.fullName ?? '');

/** The product steps for these nodes. */
export function productSteps(nodes: readonly ProductNode[]): string[] {
  const steps: string[] = [];
  const open = nodes.filter((n) => n.accepted);
  if (open.length > 0)
    steps.push(
      `now: give ${open.map((n) => n.name).join(', ')} a new long random cookie and restart it (anyone reaching its port can run code)`,
    );
  if (nodes.some(either(COUCHDB)))
    steps.push('CouchDB: upgrade to 3.2.2 or later and set a unique -setcookie in vm.args');
  if (nodes.some((n) => RABBIT.test(n.name)))
    steps.push('RabbitMQ: set a strong RABBITMQ_ERLANG_COOKIE / .erlang.cookie on every node');
  if (nodes.some(either(EJABBERD)))
    steps.push(
      "ejabberd: put a long random cookie in the ejabberd user's .erlang.cookie (ERLANG_COOKIE in the container image); in ejabberdctl.cfg set INET_DIST_INTERFACE=127.0.0.1 and ERLANG_NODE=ejabberd@localhost for a single node, or FIREWALL_WINDOW to pin a cluster's distribution ports",
    );
  return steps;
}
