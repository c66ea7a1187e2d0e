/**
 * The instructor's lab key on the page (see src/lab/authority.ts). `npm start`
 * prints `…/#/lab?key=…` once; the page takes the key from its address, keeps
 * it in this origin's storage (so the instructor's other tabs have it too)
 * and drops it from the address bar, so that it is not projected or shared
 * with a copied URL.
 */
const STORAGE_KEY = 'transport-lab:lab-key';
export const LAB_KEY_HEADER = 'x-lab-key';
/** The key for this page's life when storage is blocked (private mode). */
let inMemory: string | null = null;

/** Takes a key from the address (`#/lab?key=…`), if one is there; returns the key held now. */
export function takeLabKey(): string | null {
  const [path = '', search = ''] = window.location.hash.split('?');
  const query = new URLSearchParams(search);
  const key = query.get('key');
  if (key) {
    store(key);
    query.delete('key');
    const rest = query.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${path}${rest ? `?${rest}` : ''}`);
  }
  return heldLabKey();
}

export function heldLabKey(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? inMemory;
  } catch {
    return inMemory;
  }
}

/** The header that proves the page is the instructor's, when it holds the key. */
export function labKeyHeaders(): Record<string, string> {
  const key = heldLabKey();
  return key ? { [LAB_KEY_HEADER]: key } : {};
}

function store(key: string): void {
  inMemory = key;
  try {
    window.localStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Storage blocked (private mode): the key still works for this page's life (inMemory).
  }
}
