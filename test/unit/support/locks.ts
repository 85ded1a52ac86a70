// A Web Locks stand-in for the unit tests: happy-dom has no navigator.locks.

/** Installs a Web Locks stand-in: exclusive locks by name, granted in request order. */
export function installLocks(): string[] {
  const tails = new Map<string, Promise<unknown>>();
  const held = new Set<string>();
  const requested: string[] = [];
  const locks = {
    query: async () => ({ held: [...held].map((name) => ({ name })) }),
    request: (name: string, ...args: unknown[]) => {
      const fn = args.at(-1) as (lock: unknown) => Promise<unknown>;
      const ifAvailable = (args[0] as { ifAvailable?: boolean }).ifAvailable && args.length === 2;
      requested.push(name);
      if (ifAvailable && held.has(name)) return fn(null);
      const run = (tails.get(name) ?? Promise.resolve()).then(async () => {
        held.add(name);
        try {
          return await fn({ name });
        } finally {
          held.delete(name);
        }
      });
      tails.set(
        name,
        run.catch(() => {}),
      );
      return run;
    },
  };
  Object.defineProperty(navigator, 'locks', { value: locks, configurable: true });
  return requested;
}

/** Removes the stand-in (call it after each test that installed it). */
export const removeLocks = (): void => {
  Reflect.deleteProperty(navigator, 'locks');
};
