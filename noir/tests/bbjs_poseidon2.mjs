// Hashes with Barretenberg's own Poseidon2 sponge (bb.js `poseidon2Hash`, WASM backend): reads
// a JSON list of inputs (each a list of 0x-hex field elements) on stdin, prints the JSON list
// of their hashes. With the argument `permute`, each input is a state of four elements and the
// output its permutation's four lanes (`poseidon2Permutation`), all lanes in one flat list.
// Used by tests/bbjs.rs as an implementation no one here wrote.
import { Barretenberg, BackendType } from '@aztec/bb.js';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const inputs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const bb = await Barretenberg.new({ threads: 1, backend: BackendType.Wasm, skipSrsInit: true });
const fe = (h) => Uint8Array.from(Buffer.from(h.slice(2).padStart(64, '0'), 'hex'));
const out = [];
const hex = (b) => '0x' + Buffer.from(b).toString('hex');
for (const xs of inputs) {
  if (process.argv[2] === 'permute') {
    const r = await bb.poseidon2Permutation({ inputs: xs.map(fe) });
    out.push(...r.outputs.map(hex));
  } else {
    out.push(hex((await bb.poseidon2Hash({ inputs: xs.map(fe) })).hash));
  }
}
await bb.destroy();
console.log(JSON.stringify(out));
