/**
 * `{ ...base, ...fields }` for code that runs on every turn. On the V8 of Node 20 an object
 * literal that starts with a spread and then gets more properties (`{ ...a, b }`, `{ ...a, ...b }`)
 * builds a new hidden class each time: 1.5–17 µs and up to 6 KB per copy, much of it
 * allocated in the old generation (bench/README.md, tenth pass). `Object.assign` onto a
 * fresh object follows the cached transitions, like a literal.
 */
export function copyWith<Base extends object, Fields extends object>(base: Base, fields: Fields): Omit<Base, keyof Fields> & Fields {
  return Object.assign({}, base, fields);
}
