// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A minimal CommonJS bundler for the page: JsSIP's npm package ships only
// CommonJS sources (no browser build), and pulling in a real bundler would
// add a tool chain to the test dependencies.  Node's own resolver finds
// every file; package.json "browser" strings are honoured (the `debug`
// package needs its browser entry), and bare names are always resolved
// from node_modules (`events` must be the npm package, not Node's built-in).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function resolveBare(fromFile, spec) {
  const req = createRequire(fromFile);
  const slash = spec.indexOf('/', spec.startsWith('@') ? spec.indexOf('/') + 1 : 0);
  const name = slash < 0 ? spec : spec.slice(0, slash);
  const pkgJson = req.resolve(name + '/package.json');
  if (slash >= 0)
    return createRequire(pkgJson).resolve('./' + spec.slice(slash + 1));
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
  const entry = typeof pkg.browser === 'string' ? pkg.browser : pkg.main || 'index.js';
  return createRequire(pkgJson).resolve('./' + path.posix.join('.', entry));
}

function resolveSpec(fromFile, spec) {
  if (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/'))
    return createRequire(fromFile).resolve(spec);
  return resolveBare(fromFile, spec);
}

// Only literal require('x') calls are followed: that is all these
// packages use in the code paths a browser runs.
const REQUIRE_RE = /\brequire\(\s*(['"])([^'"]+)\1\s*\)/g;

/**
 * Bundle `entry` and its dependency graph into one script that assigns
 * the entry's exports to `globalThis[globalName]`.
 */
export function bundle(entry, globalName) {
  const ids = new Map();            // absolute file -> module index
  const modules = [];               // {file, source, deps}
  const queue = [entry];

  ids.set(entry, 0);
  while (queue.length > 0) {
    const file = queue.shift();
    let source = readFileSync(file, 'utf8');
    const deps = {};
    if (file.endsWith('.json')) {
      source = 'module.exports = ' + source + ';';
    } else {
      for (const m of source.matchAll(REQUIRE_RE)) {
        const spec = m[2];
        if (spec in deps)
          continue;
        let target;
        try {
          target = resolveSpec(file, spec);
        } catch {
          // Node-only branches (debug's tty/util) never run in a page;
          // calling such a require fails loudly there.
          continue;
        }
        if (!ids.has(target)) {
          ids.set(target, ids.size);
          queue.push(target);
        }
        deps[spec] = ids.get(target);
      }
    }
    modules[ids.get(file)] = { file, source, deps };
  }

  const parts = ['(function () {\nconst defs = [\n'];
  for (const mod of modules) {
    parts.push(`// ${path.relative(path.dirname(entry), mod.file)}\n`);
    parts.push(`[${JSON.stringify(mod.deps)}, function (module, exports, require) {\n`);
    parts.push(mod.source);
    parts.push('\n}],\n');
  }
  parts.push(`];
const cache = [];
function load(index) {
  if (cache[index])
    return cache[index].exports;
  const [deps, fn] = defs[index];
  const module = { exports: {} };
  cache[index] = module;
  fn.call(module.exports, module, module.exports, (spec) => {
    if (!(spec in deps))
      throw new Error('module not bundled: ' + spec);
    return load(deps[spec]);
  });
  return module.exports;
}
globalThis[${JSON.stringify(globalName)}] = load(0);
})();
`);
  return parts.join('');
}
