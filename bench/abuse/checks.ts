/**
 * Small helpers for an attack's own checks (`Attack.check`): each returns a
 * sentence when a fact is not as the fixed server makes it, nothing when it is.
 * The tests assert that the list is empty; the bench prints it.
 */
export type Facts = Record<string, number | boolean | string>;

export function equal(facts: Facts, name: string, expected: number | boolean | string, why: string): string[] {
  return facts[name] === expected ? [] : [`${why}: ${name} is ${String(facts[name])}, expected ${String(expected)}`];
}

export function atMost(facts: Facts, name: string, limit: number, why: string): string[] {
  return Number(facts[name]) <= limit ? [] : [`${why}: ${name} is ${String(facts[name])}, expected at most ${limit}`];
}

export function below(facts: Facts, name: string, limit: number, why: string): string[] {
  return Number(facts[name]) < limit ? [] : [`${why}: ${name} is ${String(facts[name])}, expected below ${limit}`];
}

export function above(facts: Facts, name: string, limit: number, why: string): string[] {
  return Number(facts[name]) > limit ? [] : [`${why}: ${name} is ${String(facts[name])}, expected above ${limit}`];
}
