// Compiles every Noir program of this workspace with noir_wasm into target/<program>.json
// (the artifact nargo would write: ABI, base64 ACIR bytecode, noir_version).
//   node build.mjs            all programs
//   node build.mjs settlement one program
import { compile, createFileManager } from '@noir-lang/noir_wasm';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const members = readFileSync(join(root, 'Nargo.toml'), 'utf8')
  .match(/"programs\/[a-z_]+"/g)
  .map((m) => m.slice(1, -1));
const wanted = process.argv.slice(2);
const programs = members.filter((m) => wanted.length === 0 || wanted.includes(m.split('/')[1]));
if (programs.length === 0) {
  console.error(`no program named ${wanted.join(', ')}; the workspace has ${members.join(', ')}`);
  process.exit(1);
}
mkdirSync(join(root, 'target'), { recursive: true });
const quiet = () => {};
for (const member of programs) {
  const name = member.split('/')[1];
  const started = Date.now();
  try {
    const out = await compile(createFileManager(root), join(root, member), quiet, quiet);
    writeFileSync(join(root, 'target', `${name}.json`), JSON.stringify(out.program));
    console.log(`compiled ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(`error: ${name} does not compile`);
    for (const d of e.cause?.diagnostics ?? e.diagnostics ?? []) {
      console.error(`  ${d.file}: ${d.message}`, JSON.stringify(d.secondaries ?? []));
    }
    if (!(e.cause?.diagnostics ?? e.diagnostics)) console.error(e);
    process.exitCode = 1;
  }
}
