// Fails when the built panel bundle uses browser APIs that UXP lacks (shared/UXP-NOTES.md): the
// panel would load in a browser and break inside Premiere Pro / After Effects.
import * as fs from 'fs';
import * as path from 'path';
import { buildPlugin } from './support/build-plugin';
import { findForbiddenApis, FORBIDDEN_APIS } from './support/uxp-forbidden-apis';

let bundle: string;
beforeAll(async () => {
  const out = await buildPlugin();
  bundle = fs.readFileSync(path.join(out, 'premierepro', 'index.js'), 'utf8');
}, 180_000);

test('the panel bundle uses no API that UXP lacks', () => {
  const found = findForbiddenApis(bundle);
  expect(found.map((f) => `${f.api} (${f.why}) at: ${f.excerpt}`)).toEqual([]);
});

test('the bundle carries no Node-only module', () => {
  // webpack 5 resolves no Node built-ins for the web target; a leftover require() would throw in UXP
  // for anything but the host modules, which the panel loads through the host's own require.
  const requires = [...bundle.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
  expect(requires.filter((r) => !['uxp', 'premierepro', 'aftereffects'].includes(r))).toEqual([]);
});

describe('the scanner itself', () => {
  test.each(FORBIDDEN_APIS.map((f) => [f.api, f.sample]))('catches %s', (_api, sample) => {
    expect(findForbiddenApis(`function f(a){${sample}}`)).toHaveLength(1);
  });

  test('ignores allowed canvas calls and look-alike names', () => {
    expect(
      findForbiddenApis('c.beginPath();c.arc(1,2,3,0,6);c.fill();c.stroke();var drawImageCount=1;'),
    ).toEqual([]);
  });
});
