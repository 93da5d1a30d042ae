// Synthesises one valid call for every operation of a generated TypeScript
// SDK, from the spec it was generated from. Node 20, no dependencies.
//
//   node tests/node/synthesize-calls.mjs SPEC_JSON PACKAGE_DIR [SKIP_JSON] > calls.json
//
// SPEC_JSON is the bundled spec as JSON: `specrelay ingest` stores exactly
// that (openapi/history/openapi-X.json; internal `#/...` references only),
// which is how run-conformance.sh gets it for a YAML or multi-file spec.
//
// Which SDK method sends which operation, and under which argument keys each
// parameter and the body travel, is read from the generated package itself,
// not re-derived from naming rules: every resource class only forwards an
// operation descriptor ({method, path, pathParams/query/headers/cookies:
// [{name, key, ...}], body: {key, kind, mediaType}, security}) to its
// transport. So the script instantiates the Client, and for each resource
// builds a second instance of the same class (`client[r].constructor`) over
// a probe transport that returns the descriptor instead of sending it. That
// gives the exact mapping the runtime uses, and nothing here changes when
// naming rules (src/sdk/naming.rs) do.
//
// Output: a JSON array of
//   {resource, method, operation: "GET /path", args: {...} | null, auth: {...},
//    params: [{in, name, value}], body?: value}
// where `args: null` means the method takes no arguments (only options).
// `params` and `body` hold the same values by their names in the spec, for
// a client in another language (tests/python/conformance_test.py) whose
// argument names differ.
// Values the JSON cannot carry are markers that conformance.mjs turns into
// objects: {"$binary": TEXT, "type": MEDIA_TYPE} -> Blob (multipart file
// fields) or Uint8Array (a raw body); {"$credential": true} -> a credential
// that works as a string and as {username, password}.
//
// SKIP_JSON (optional): {"GET /path": "reason", ...}; a skipped operation is
// emitted with "skip": REASON and conformance.mjs reports it as skipped.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [specPath, packageDir, skipPath] = process.argv.slice(2);
if (!specPath || !packageDir) {
  console.error("usage: synthesize-calls.mjs SPEC_JSON PACKAGE_DIR [SKIP_JSON]");
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specPath, "utf8"));
const skips = skipPath ? JSON.parse(readFileSync(skipPath, "utf8")) : {};
const { Client } = await import(pathToFileURL(resolve(packageDir, "index.js")).href);

// ---- references -----------------------------------------------------------

function pointer(ref) {
  if (!ref.startsWith("#")) throw new Error(`external reference ${ref}: expected a bundled spec`);
  let node = spec;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = node?.[key];
  }
  if (node === undefined) throw new Error(`unresolved reference ${ref}`);
  return node;
}

/** Follows $ref chains; a 3.1 schema's sibling keywords are merged over it. */
function deref(node, seen = new Set()) {
  while (node && typeof node === "object" && typeof node.$ref === "string") {
    if (seen.has(node.$ref)) return {};
    seen.add(node.$ref);
    const { $ref, ...siblings } = node;
    const target = pointer($ref);
    node = Object.keys(siblings).length > 0 ? { ...target, ...siblings } : target;
  }
  return node ?? {};
}

// ---- values -----------------------------------------------------------------

function firstExample(node) {
  if (!node || typeof node !== "object") return undefined;
  if (node.example !== undefined) return node.example;
  if (Array.isArray(node.examples) && node.examples.length > 0) return node.examples[0];
  if (node.examples && typeof node.examples === "object") {
    for (const ex of Object.values(node.examples)) {
      const e = deref(ex);
      if (e.value !== undefined) return e.value;
    }
  }
  return undefined;
}

function types(schema) {
  const t = schema.type;
  if (Array.isArray(t)) return t.filter((x) => x !== "null");
  if (typeof t === "string") return t === "null" ? [] : [t];
  if (schema.properties || schema.additionalProperties || schema.required) return ["object"];
  if (schema.items) return ["array"];
  if (schema.enum) return [typeof schema.enum[0]];
  return [];
}

function stringFor(schema) {
  const fmt = schema.format;
  const byFormat = {
    uuid: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "date-time": "2024-01-02T03:04:05Z",
    date: "2024-01-02",
    time: "03:04:05Z",
    email: "user@example.com",
    "idn-email": "user@example.com",
    uri: "https://example.com/a",
    "uri-reference": "https://example.com/a",
    iri: "https://example.com/a",
    url: "https://example.com/a",
    hostname: "example.com",
    ipv4: "192.0.2.1",
    ipv6: "2001:db8::1",
    byte: "aGVsbG8=",
    duration: "P1D",
    password: "secret",
  };
  let s = byFormat[fmt] ?? "string";
  if (schema.pattern && !byFormat[fmt]) s = fromPattern(schema.pattern) ?? s;
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Infinity;
  if (s.length < min) s = s.padEnd(min, "x");
  if (s.length > max) s = s.slice(0, max);
  return s;
}

/** A string for the simplest regular expressions; undefined when unsure. */
function fromPattern(pattern) {
  const simple = {
    "^[a-zA-Z0-9]+$": "abc123",
    "^[a-z0-9-]+$": "abc-123",
    "^\\d+$": "123",
    "^[0-9]+$": "123",
  };
  if (simple[pattern]) return simple[pattern];
  try {
    const re = new RegExp(pattern, "u");
    for (const c of ["string", "abc", "abc123", "123", "a", "A1", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "user@example.com", "2024-01-02"]) {
      if (re.test(c)) return c;
    }
  } catch {
    // not a JS regex; fall through
  }
  return undefined;
}

function numberFor(schema, integer) {
  let lo = schema.minimum ?? -Infinity;
  let hi = schema.maximum ?? Infinity;
  if (typeof schema.exclusiveMinimum === "number") lo = Math.max(lo, schema.exclusiveMinimum + (integer ? 1 : 0.5));
  else if (schema.exclusiveMinimum === true) lo += integer ? 1 : 0.5;
  if (typeof schema.exclusiveMaximum === "number") hi = Math.min(hi, schema.exclusiveMaximum - (integer ? 1 : 0.5));
  else if (schema.exclusiveMaximum === true) hi -= integer ? 1 : 0.5;
  let v = lo !== -Infinity ? lo : hi !== Infinity ? Math.min(hi, 1) : 1;
  if (integer) v = Math.ceil(v);
  if (schema.multipleOf) v = Math.ceil(v / schema.multipleOf) * schema.multipleOf;
  return v;
}

function mergeAllOf(schema, depth) {
  const { allOf: own, ...base } = schema;
  const parts = [base, ...own.map((s) => deref(s))].map((s) => {
    if (!s.allOf || depth > 8) return s;
    return mergeAllOf(s, depth + 1);
  });
  const out = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (k === "properties") out.properties = { ...(out.properties ?? {}), ...v };
      else if (k === "required") out.required = [...new Set([...(out.required ?? []), ...v])];
      else out[k] = v;
    }
  }
  return out;
}

/**
 * A valid value for SCHEMA. `ctx.binary` marks format: binary strings as
 * file markers (multipart); `ctx.writing` drops readOnly properties.
 */
function valueFor(rawSchema, ctx = {}, depth = 0) {
  let schema = deref(rawSchema);
  if (schema.allOf) schema = mergeAllOf(schema, depth);
  if (schema.const !== undefined) return schema.const;
  const ex = firstExample(schema);
  if (ex !== undefined && !(schema.format === "binary")) return ex;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum.find((v) => v !== null) ?? schema.enum[0];
  }
  const alts = schema.oneOf ?? schema.anyOf;
  if (alts && alts.length > 0) {
    const choice = deref(alts.find((a) => deref(a).type !== "null") ?? alts[0]);
    const value = valueFor(choice, ctx, depth + 1);
    const disc = schema.discriminator;
    if (disc && value && typeof value === "object" && !Array.isArray(value)) {
      const chosenRef = (alts.find((a) => deref(a) === choice) ?? {}).$ref;
      const mapped = Object.entries(disc.mapping ?? {}).find(([, ref]) => ref === chosenRef)?.[0];
      if (value[disc.propertyName] === undefined) {
        value[disc.propertyName] = mapped ?? (chosenRef ? chosenRef.split("/").pop() : undefined);
      }
    }
    return value;
  }
  const t = types(schema)[0];
  switch (t) {
    case "string":
      if (schema.format === "binary" || schema.contentMediaType === "application/octet-stream") {
        return ctx.binary ? { $binary: "hello", type: "application/octet-stream" } : "hello";
      }
      return stringFor(schema);
    case "integer":
      return numberFor(schema, true);
    case "number":
      return numberFor(schema, false);
    case "boolean":
      return true;
    case "array": {
      const n = Math.min(Math.max(ctx.minItems ?? 1, schema.minItems ?? 1), schema.maxItems ?? Infinity);
      if (depth > 8) return [];
      const itemSchema = deref(schema.items ?? {});
      const items = [];
      for (let i = 0; i < n; i++) {
        items.push(Array.isArray(itemSchema.enum) && itemSchema.enum.length > 0
          ? itemSchema.enum[i % itemSchema.enum.length]
          : valueFor(schema.items ?? {}, ctx, depth + 1));
      }
      return schema.uniqueItems ? [...new Map(items.map((v) => [JSON.stringify(v), v])).values()] : items;
    }
    case "object": {
      const out = {};
      const props = schema.properties ?? {};
      for (const name of schema.required ?? []) {
        const prop = props[name] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : {});
        const p = deref(prop);
        if (ctx.writing && p.readOnly) continue;
        out[name] = depth > 8 ? null : valueFor(prop, ctx, depth + 1);
      }
      // At least one property when the schema names some: an empty object
      // serialises to nothing in a path or header (and Prism 5.14 throws on
      // an empty matrix-style value), so it would test nothing.
      const minProps = Math.max(schema.minProperties ?? 0, Object.keys(props).length > 0 ? 1 : 0);
      for (const [name, prop] of Object.entries(props)) {
        if (Object.keys(out).length >= minProps) break;
        if (!(name in out) && !(ctx.writing && deref(prop).readOnly)) out[name] = valueFor(prop, ctx, depth + 1);
      }
      return out;
    }
    default:
      return ex ?? "string";
  }
}

// ---- parameters and bodies ----------------------------------------------------

function operationParams(pathItem, op) {
  const byKey = new Map();
  for (const p of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const param = deref(p);
    byKey.set(`${param.in}:${param.name}`, param);
  }
  return byKey;
}

function paramValue(param) {
  const ex = firstExample(param);
  let schema = param.schema;
  if (!schema && param.content) schema = Object.values(param.content)[0]?.schema;
  if (ex !== undefined) return ex;
  if (param.content) {
    const mt = Object.values(param.content)[0] ?? {};
    const mex = firstExample(mt);
    if (mex !== undefined) return mex;
  }
  // Two items for a query array: one item of an exploded array (`a=x`) is
  // indistinguishable from a scalar on the wire, and Prism 5.14 reads it as
  // one unless the schema is plainly `type: array` (so `anyOf: [array, null]`,
  // the 3.1 nullable array, fails with "must be array").
  return valueFor(schema ?? { type: "string" }, { minItems: param.in === "query" ? 2 : 1 });
}

function bodyValue(op, body) {
  const requestBody = deref(op.requestBody);
  const media = requestBody.content?.[body.mediaType] ?? Object.values(requestBody.content ?? {})[0] ?? {};
  if (body.kind === "binary") return { $binary: "hello", type: body.mediaType };
  const ex = firstExample(media);
  if (ex !== undefined && body.kind !== "multipart") return ex;
  if (body.kind === "text") return typeof ex === "string" ? ex : stringFor(deref(media.schema ?? {}));
  // Form and multipart bodies repeat a field per array item, so (as for
  // query arrays) one item would read as a scalar: two.
  const repeated = body.kind === "multipart" || body.kind === "form";
  return valueFor(media.schema ?? { type: "object" }, { binary: body.kind === "multipart", writing: true, minItems: repeated ? 2 : 1 });
}

// ---- credentials ----------------------------------------------------------------

const schemes = spec.components?.securitySchemes ?? {};
const squash = (s) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

function credentialFor(key) {
  const name = Object.keys(schemes).find((n) => n === key) ?? Object.keys(schemes).find((n) => squash(n) === squash(key));
  const scheme = name ? deref(schemes[name]) : undefined;
  if (!scheme) return { $credential: true };
  if (scheme.type === "http" && String(scheme.scheme).toLowerCase() === "basic") return { username: "user", password: "pass" };
  return "test-credential";
}

// ---- the walk ------------------------------------------------------------------

const probeClient = new Client({ baseUrl: "http://127.0.0.1:1" });
const calls = [];
for (const resource of Object.keys(probeClient)) {
  const Resource = probeClient[resource].constructor;
  const probe = new Resource({ request: (descriptor) => descriptor });
  for (const method of Object.getOwnPropertyNames(Resource.prototype)) {
    if (method === "constructor" || typeof Resource.prototype[method] !== "function") continue;
    const d = await probe[method]();
    const operation = `${d.method} ${d.path}`;
    const pathItem = spec.paths?.[d.path] ? deref(spec.paths[d.path]) : undefined;
    const op = pathItem?.[d.method.toLowerCase()];
    if (!op) throw new Error(`${resource}.${method}: ${operation} is not in the spec`);
    const params = operationParams(pathItem, op);
    const hasArgs = [d.pathParams, d.query, d.headers, d.cookies].some((l) => l.length > 0) || d.body !== null;
    const args = {};
    const wire = [];
    const groups = [["path", d.pathParams], ["query", d.query], ["header", d.headers], ["cookie", d.cookies]];
    for (const [where, list] of groups) {
      for (const p of list) {
        const param = params.get(`${where}:${p.name}`);
        if (!param) throw new Error(`${operation}: no ${where} parameter ${p.name} in the spec`);
        // Optional parameters are sent too: that exercises their
        // serialisation, and Prism 5.14 crashes (TypeError in its simple-style
        // deserializer, then the server is gone) on an absent optional array
        // header.
        args[p.key] = paramValue(param);
        wire.push({ in: where, name: p.name, value: args[p.key] });
      }
    }
    if (d.body) args[d.body.key] = bodyValue(op, d.body);
    const alternative = (d.security ?? [])[0] ?? [];
    const auth = Object.fromEntries(alternative.map((k) => [k, credentialFor(k)]));
    const call = { resource, method, operation, args: hasArgs ? args : null, auth, params: wire };
    if (d.body) call.body = args[d.body.key];
    if (skips[operation]) call.skip = skips[operation];
    calls.push(call);
  }
}
process.stdout.write(JSON.stringify(calls, null, 2) + "\n");
