// Hashes with Barretenberg's own Poseidon2 sponge (bb.js `poseidon2Hash`, WASM backend): reads
// a JSON list of inputs (each a list of 0x-hex field elements) on stdin, prints the JSON list
// of their hashes. Used by tests/bbjs.rs as an implementation no one here wrote.
import { Barretenberg, BackendType } from '@aztec/bb.js';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const inputs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const bb = await Barretenberg.new({ threads: 1, backend: BackendType.Wasm, skipSrsInit: true });
const fe = (h) => Uint8Array.from(Buffer.from(h.slice(2).padStart(64, '0'), 'hex'));
const out = [];
for (const xs of inputs) {
  const r = await bb.poseidon2Hash({ inputs: xs.map(fe) });
  out.push('0x' + Buffer.from(r.hash).toString('hex'));
}
await bb.destroy();
console.log(JSON.stringify(out));
