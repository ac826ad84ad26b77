/** `1 probe`, `2 probes`, `0 datums`: a count and its noun, in the number English wants. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
