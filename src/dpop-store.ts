// Where the DPoP add-on keeps its key pairs: IndexedDB, the one browser store that holds a CryptoKey whose private
// half cannot be exported (structured clone keeps `extractable: false`), shared by every tab of the origin.

/** One client's key, as stored. */
export interface DPoPKeyRecord {
  /** Random, per key: tells a tab that the key it holds in memory was replaced (a logout in another tab). */
  id: string;
  /** ES256 (ECDSA P-256); the private key is not extractable. */
  keys: CryptoKeyPair;
  /** The provider answered a Bearer token and the app accepts that (`dpop({ bearer: 'accept' })`): send it as Bearer. */
  bearer?: boolean | undefined;
}

/**
 * Keeps key records by name (one per client and authority). The default is IndexedDB ({@link indexedDbKeyStore});
 * another store (tests, an app with its own place for keys) must keep the private key unexportable too.
 */
export interface DPoPKeyStore {
  /** The record of `name`; when there is none (or it is unreadable), `fresh`'s is stored and returned, in one step for all tabs. */
  get(name: string, fresh: () => Promise<DPoPKeyRecord>): Promise<DPoPKeyRecord>;
  /** Replaces the record of `name`. */
  put(name: string, record: DPoPKeyRecord): Promise<void>;
  /** Deletes the record of `name`. */
  delete(name: string): Promise<void>;
}

/** Whether a stored value is a usable record (anything else, e.g. from an older version, is replaced). */
export const isKeyRecord = (r: unknown): r is DPoPKeyRecord => {
  const v = r as DPoPKeyRecord | undefined;
  return typeof v?.id === 'string' && v.keys?.privateKey instanceof CryptoKey && v.keys.publicKey instanceof CryptoKey;
};

const DB_NAME = 'connect-pkce';
const STORE = 'dpop';

/** A request's result, or its error. */
const done = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

/**
 * Key records in IndexedDB (database `connect-pkce`, store `dpop`). The database is opened once per page; a blocked
 * or refused open (a private window of some browsers, storage disabled) rejects, and the caller reports it.
 */
export function indexedDbKeyStore(): DPoPKeyStore {
  let db: Promise<IDBDatabase> | undefined;
  const open = () =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => {
        const d = req.result;
        // Another page upgrading the database: let it, and open again next time.
        d.onversionchange = () => {
          d.close();
          db = undefined;
        };
        resolve(d);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new DOMException('IndexedDB open blocked', 'InvalidStateError'));
    }).catch((e) => {
      db = undefined;
      throw e;
    }));
  const store = async (mode: IDBTransactionMode) => (await open()).transaction(STORE, mode).objectStore(STORE);
  return {
    async get(name, fresh) {
      const found: unknown = await done((await store('readonly')).get(name));
      if (isKeyRecord(found)) return found;
      const mine = await fresh();
      // Read again and write in one readwrite transaction (they run one at a time for the store): two tabs that both
      // found nothing end up with the same key, the first one written.
      const s = await store('readwrite');
      const now: unknown = await done(s.get(name));
      if (isKeyRecord(now)) return now;
      await done(s.put(mine, name));
      return mine;
    },
    async put(name, record) {
      await done((await store('readwrite')).put(record, name));
    },
    async delete(name) {
      await done((await store('readwrite')).delete(name));
    },
  };
}
