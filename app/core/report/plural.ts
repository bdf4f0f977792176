/** `1 agent`, `2 agents`, `0 agents`; pass the plural when it is not the noun plus "s". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
