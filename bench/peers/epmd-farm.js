// A farm of fake EPMDs and distribution peers for a namespace of its own (the
// bench's target namespace, or a test's): it listens on every address of
// the namespace (0.0.0.0), so every address routed there is an EPMD.
//
//   node epmd-farm.js <epmd-port> <dist-port> <nodes> <reply-bytes>
//
// NAMES gets a reply listing <nodes> nodes at <dist-port>, padded with more
// node lines to about <reply-bytes>; a send_name on <dist-port> gets the
// status `sok` and a version-6 challenge (real bytes of an OTP 25 node).
// Prints "ready" once both listen. Runs until killed.
import net from 'node:net';

const [epmdPort, distPort, nodes, replyBytes] = process.argv.slice(2).map(Number);

function namesReply() {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(epmdPort);
  const lines = [];
  let size = 4;
  for (let i = 0; i < nodes || size < replyBytes; i++) {
    const line = `name node${i} at port ${distPort}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.concat([head, Buffer.from(lines.join(''))]);
}

const NAMES = namesReply();
// sok, then the challenge of rabbit@vm (test/fixtures/otp25-handshake-rabbit.hex).
const HANDSHAKE = Buffer.from(
  '0003736f6b001c4e0000000d07df7fbdc62802e96b038e6b000972616262697440766d',
  'hex',
);

const serve = (port, reply) =>
  new Promise((resolve) => {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.end(reply));
    });
    // A port taken (a real epmd on one address of the namespace) is said, not waited on.
    server.once('error', (error) => {
      process.stderr.write(`epmd-farm: cannot listen on ${port}: ${error.code ?? error.message}\n`);
      process.exit(1);
    });
    server.listen({ port, host: '0.0.0.0', backlog: 4096 }, () => {
      server.on('error', () => undefined);
      resolve();
    });
  });

await Promise.all([serve(epmdPort, NAMES), serve(distPort, HANDSHAKE)]);
process.stdout.write('ready\n');
