/**
 * Values built on first use instead of at import. A cold start evaluates every module of its bundle
 * before it answers, and there a zod schema is costly to construct (~50 µs each in an unoptimised
 * engine, measured with `npm run bench -- bundles`; a handler held 100–300 of them): a function
 * that never takes a path must not build that path's schemas. Once built, a value is kept for the
 * life of the process, exactly as a module-level constant would be.
 */
export function firstUse<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/** A record whose every property is built on its first read (then kept), typed as the built record. */
export function firstUseRecord<B extends Readonly<Record<string, () => unknown>>>(builders: B): { readonly [K in keyof B]: ReturnType<B[K]> } {
  const record = {} as { [K in keyof B]: ReturnType<B[K]> };
  for (const key of Object.keys(builders) as (keyof B & string)[]) {
    const get = firstUse(builders[key] as () => ReturnType<B[typeof key]>);
    Object.defineProperty(record, key, { get, enumerable: true });
  }
  return Object.freeze(record);
}
