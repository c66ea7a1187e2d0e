/** JSON calls to the lab's cold routes, failing with the server's LabError. */
import { errorFromResponse } from '../../src/client/http.ts';

export async function getJson<T>(path: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json', ...headers } });
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}

export async function postJson<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}
