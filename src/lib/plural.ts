/** A count with its noun in the right number: `plural(1, "pack", "packs")` is "1 pack", `plural(2, …)` "2 packs". */
export const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
