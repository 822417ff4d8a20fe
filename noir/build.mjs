// Compiles every Noir program of this workspace with noir_wasm into target/<program>.json
// (the artifact nargo would write: ABI, base64 ACIR bytecode, noir_version).
//   node build.mjs               all programs
//   node build.mjs settlement    one program
//   node build.mjs --variants    also the production shapes of shapes.json, into
//                                target/variants/<program>-<shape>.json (globals overridden)
import { compile, createFileManager } from '@noir-lang/noir_wasm';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const members = readFileSync(join(root, 'Nargo.toml'), 'utf8')
  .match(/"programs\/[a-z_]+"/g)
  .map((m) => m.slice(1, -1));
const variants = process.argv.includes('--variants');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const programs = members.filter((m) => wanted.length === 0 || wanted.includes(m.split('/')[1]));
if (programs.length === 0) {
  console.error(`no program named ${wanted.join(', ')}; the workspace has ${members.join(', ')}`);
  process.exit(1);
}
mkdirSync(join(root, 'target'), { recursive: true });
const quiet = () => {};

async function build(name, dir, out) {
  const started = Date.now();
  try {
    const compiled = await compile(createFileManager(root), dir, quiet, quiet);
    writeFileSync(out, JSON.stringify(compiled.program));
    console.log(`compiled ${relative(root, out)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(`error: ${name} does not compile`);
    for (const d of e.cause?.diagnostics ?? e.diagnostics ?? []) {
      console.error(`  ${d.file}: ${d.message}`, JSON.stringify(d.secondaries ?? []));
    }
    if (!(e.cause?.diagnostics ?? e.diagnostics)) console.error(e);
    process.exitCode = 1;
  }
}

for (const member of programs) {
  const name = member.split('/')[1];
  await build(name, join(root, member), join(root, 'target', `${name}.json`));
}

if (variants) {
  const shapes = JSON.parse(readFileSync(join(root, 'shapes.json'), 'utf8'));
  const sources = join(root, 'target', 'variants-src');
  rmSync(sources, { recursive: true, force: true });
  mkdirSync(join(root, 'target', 'variants'), { recursive: true });
  for (const [name, table] of Object.entries(shapes)) {
    if (name === 'description' || (wanted.length && !wanted.includes(name))) continue;
    for (const [shape, globals] of Object.entries(table)) {
      const dir = join(sources, `${name}-${shape}`);
      cpSync(join(root, 'programs', name), dir, { recursive: true });
      const toml = join(dir, 'Nargo.toml');
      writeFileSync(toml, readFileSync(toml, 'utf8').replace('"../../veil"', `"${relative(dir, join(root, 'veil'))}"`));
      const main = join(dir, 'src', 'main.nr');
      let text = readFileSync(main, 'utf8');
      for (const [g, value] of Object.entries(globals)) {
        const re = new RegExp(`global ${g}: u32 = \\d+;`);
        if (!re.test(text)) throw new Error(`${name} has no global ${g}`);
        text = text.replace(re, `global ${g}: u32 = ${value};`);
      }
      writeFileSync(main, text);
      await build(`${name}-${shape}`, dir, join(root, 'target', 'variants', `${name}-${shape}.json`));
    }
  }
}
