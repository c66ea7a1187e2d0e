import { computed, ref } from 'vue';

/**
 * A hash router small enough to read at once: `#/chat`, `#/lab`,
 * `#/dashboard`, `#/pane?transport=poll&…` (a lab pane inside an iframe).
 * Hash routes need no server-side fallback for deep links.
 */
export type RouteName = 'chat' | 'lab' | 'dashboard' | 'pane';
const ROUTES: readonly RouteName[] = ['chat', 'lab', 'dashboard', 'pane'];

const hash = ref(window.location.hash);
window.addEventListener('hashchange', () => {
  hash.value = window.location.hash;
});

function parse(value: string): { name: RouteName; query: URLSearchParams } {
  const [path = '', search = ''] = value.replace(/^#\/?/, '').split('?');
  const name = (ROUTES as readonly string[]).includes(path) ? (path as RouteName) : 'chat';
  return { name, query: new URLSearchParams(search) };
}

export const route = computed(() => parse(hash.value));

export function navigate(name: RouteName, query?: Record<string, string>): void {
  const search = query ? `?${new URLSearchParams(query).toString()}` : '';
  window.location.hash = `#/${name}${search}`;
}
