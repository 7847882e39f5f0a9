/**
 * Loading one of the package's optional Node-API addons (`build/Release/<name>.node`, built by
 * `npm run build:native`): loaded once, and where it cannot be (`AUIF_NATIVE=0`, not built, fails
 * to load) null with the reason, so that callers fall back to their TypeScript path and can say why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AddonLoad<T> { k: T | null; reason: string }

const loaded = new Map<string, AddonLoad<unknown>>();

/** `build/Release/<name>.node`, loaded on first call (cached per name), or null with the reason. */
export function loadAddon<T>(name: string): AddonLoad<T> {
  let a = loaded.get(name) as AddonLoad<T> | undefined;
  if (!a) {
    const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'Release', `${name}.node`);
    if (process.env.AUIF_NATIVE === '0') a = { k: null, reason: 'disabled by AUIF_NATIVE=0' };
    else if (!existsSync(file)) a = { k: null, reason: `not built (${file} is missing; run \`npm run build:native\`)` };
    else {
      try { a = { k: createRequire(import.meta.url)(file) as T, reason: 'loaded' }; } catch (e) {
        a = { k: null, reason: `failed to load ${file}: ${(e as Error).message}` };
      }
    }
    loaded.set(name, a);
  }
  return a;
}
